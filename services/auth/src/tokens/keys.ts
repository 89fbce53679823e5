// The JWT signing keys of ROBBIE_JWT_KEYS_FILE (written by scripts/bootstrap.ts: `{ keys: [{ kid, createdAt,
// privateJwk, publicJwk }] }`, current first). `bootstrap --rotate jwt` prepends a new key; we notice through the
// file's mtime, checked at most once a minute, so auth picks up a rotation within a minute without a restart.
import { readFileSync, statSync } from 'node:fs'
import { importJWK, type CryptoKey, type JWK } from 'jose'

export interface KeyFileEntry { kid: string, createdAt: string, privateJwk: JWK, publicJwk: JWK }
export interface SigningKey { kid: string, key: CryptoKey | Uint8Array }

const RECHECK_MS = 60_000

export function parseKeyFile (text: string): KeyFileEntry[] {
  const parsed = JSON.parse(text) as { keys?: unknown }
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error('JWT key file holds no keys')
  for (const k of parsed.keys as KeyFileEntry[]) {
    if (typeof k.kid !== 'string' || typeof k.privateJwk !== 'object' || typeof k.publicJwk !== 'object') throw new Error('JWT key file entry is malformed')
  }
  return parsed.keys as KeyFileEntry[]
}

export function createKeyStore (opts: { file: string, now?: () => number }) {
  const now = opts.now ?? Date.now
  let entries: KeyFileEntry[] = []
  let mtimeMs = -1
  let checkedAt = -Infinity
  let signing: Promise<SigningKey> | undefined

  function refresh (): void {
    if (now() - checkedAt < RECHECK_MS && mtimeMs >= 0) return
    checkedAt = now()
    const stat = statSync(opts.file)
    if (stat.mtimeMs === mtimeMs) return
    entries = parseKeyFile(readFileSync(opts.file, 'utf8'))
    mtimeMs = stat.mtimeMs
    signing = undefined
  }

  return {
    /** the current (first) key, imported for signing */
    async current (): Promise<SigningKey> {
      refresh()
      const first = entries[0]!
      signing ??= importJWK({ ...first.privateJwk, alg: 'EdDSA' }, 'EdDSA').then((key) => ({ kid: first.kid, key }))
      return await signing
    },
    /** public halves of the current and the previous key (SPEC §2.1) */
    publicJwks (): JWK[] {
      refresh()
      return entries.slice(0, 2).map((k) => ({ kty: k.publicJwk.kty, crv: k.publicJwk.crv, x: k.publicJwk.x, kid: k.kid, alg: 'EdDSA', use: 'sig' }))
    }
  }
}
export type KeyStore = ReturnType<typeof createKeyStore>
