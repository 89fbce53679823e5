// The environment the keys module reads (SPEC §11.6). auth's config.ts spreads these into its schema.
import { readFileSync } from 'node:fs'
import { createHmac } from 'node:crypto'
import { Type, type Static, type TObject } from 'typebox'

export const keysConfigProperties = {
  /** the API-key pepper: 32 random bytes, base64 (.run/keys/apikey-pepper) */
  ROBBIE_APIKEY_PEPPER_FILE: Type.String({ minLength: 1, maxLength: 4096 })
}
export type KeysConfig = Static<TObject<typeof keysConfigProperties>>

/** A 32-byte key file as written by scripts/bootstrap.ts (base64 text). */
export function readKeyFile (file: string): Buffer {
  const bytes = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
  if (bytes.length < 32) throw new Error(`${file} must hold at least 32 bytes, base64-encoded`)
  return bytes
}

/** HMAC-SHA-256(pepper, full key): the only trace of a key that is stored. */
export const keyHmac = (pepper: Buffer, key: string): Buffer => createHmac('sha256', pepper).update(key, 'utf8').digest()
