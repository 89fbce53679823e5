// argon2id with SPEC §2.1's parameters (19 MiB, 2 iterations, parallelism 1). Hashing is slow on purpose:
// callers run it before BEGIN, never inside a transaction (CONVENTIONS §3.8).
import { hash, verify, type Options } from '@node-rs/argon2'

// algorithm 2 is Argon2id (a const enum in the typings, which verbatimModuleSyntax cannot import)
const OPTIONS: Options = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 }

export const hashPassword = async (password: string): Promise<string> => await hash(password, OPTIONS)

// A real hash of a random password: verifying against it costs what a real verify costs, so an unknown
// email answers in the same time as a wrong password.
let dummy: Promise<string> | undefined

export async function verifyPassword (stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    dummy ??= hashPassword(`dummy-${Math.random()}-${Date.now()}`)
    await verify(await dummy, password, OPTIONS).catch(() => false)
    return false
  }
  try { return await verify(stored, password, OPTIONS) } catch { return false }
}
