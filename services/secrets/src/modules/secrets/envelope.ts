// All cryptography of the secrets service (SPEC §5.2), with node:crypto only. AES-256-GCM everywhere, a fresh
// random 96-bit nonce for every encryption, and associated data that binds each ciphertext to where it belongs:
//   value  = 0x01 ‖ dekId (16) ‖ nonce (12) ‖ ct ‖ tag (16), AAD robbie.secret.v1|<secretId>|<version>|<service>|<name>|<scope>|<scopeId>
//   DEK    = 0x01 ‖ masterKeyId (8) ‖ nonce (12) ‖ ct ‖ tag (16), AAD robbie.dek.v1|<dekId>
// A flipped byte, or a ciphertext moved to another row or version, fails the GCM tag: DecryptError, never
// wrong plaintext. Pure functions: no I/O, no state.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'

const FORMAT = 0x01
const NONCE = 12
const TAG = 16
const DEK_ID = 16
const KEY_ID = 8
const VALUE_HEADER = 1 + DEK_ID + NONCE
const WRAP_HEADER = 1 + KEY_ID + NONCE

export interface MasterKey { id: Buffer, key: Buffer }
/** Where a value lives: all of it is bound into the ciphertext. */
export interface SecretAddress { secretId: string, version: number, service: string, name: string, scope: string, scopeId: string }

export class DecryptError extends Error {
  constructor (readonly reason: 'format' | 'dek_mismatch' | 'unknown_master_key' | 'authentication') {
    super(`decryption failed: ${reason}`)
    this.name = 'DecryptError'
  }
}

/** The first 8 bytes of SHA-256("robbie.kid|" ‖ key). */
export const masterKeyId = (key: Buffer): Buffer => createHash('sha256').update('robbie.kid|').update(key).digest().subarray(0, KEY_ID)

/** Base64 of exactly 32 bytes, or the reason it is not one. */
export function parseMasterKey (text: string): { ok: true, key: MasterKey } | { ok: false, reason: 'bad_key_length' } {
  const trimmed = text.trim()
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return { ok: false, reason: 'bad_key_length' }
  const key = Buffer.from(trimmed, 'base64')
  if (key.length !== 32) return { ok: false, reason: 'bad_key_length' }
  return { ok: true, key: { id: masterKeyId(key), key } }
}

/** What master_key_checks records for a key: proves a later key is the same one without storing it. */
export const checkValue = (key: MasterKey): Buffer => createHmac('sha256', key.key).update('robbie.check.v1').digest()
export const checkMatches = (key: MasterKey, stored: Buffer): boolean => {
  const mine = checkValue(key)
  return stored.length === mine.length && timingSafeEqual(stored, mine)
}

/** The value_hmac key (HKDF-SHA-256, info robbie.redact.v1), and the HMAC of one value under it. */
export const redactKey = (key: MasterKey): Buffer => Buffer.from(hkdfSync('sha256', key.key, Buffer.alloc(0), 'robbie.redact.v1', 32))
export const valueHmac = (redact: Buffer, value: string): Buffer => createHmac('sha256', redact).update(value, 'utf8').digest()

const secretAad = (a: SecretAddress) => Buffer.from(`robbie.secret.v1|${a.secretId}|${a.version}|${a.service}|${a.name}|${a.scope}|${a.scopeId}`, 'utf8')
const dekAad = (dekId: string) => Buffer.from(`robbie.dek.v1|${dekId}`, 'utf8')
const uuidBytes = (id: string): Buffer => Buffer.from(id.replaceAll('-', ''), 'hex')
const uuidText = (b: Buffer): string => {
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

function gcmSeal (key: Buffer, aad: Buffer, plaintext: Buffer): { nonce: Buffer, body: Buffer } {
  const nonce = randomBytes(NONCE) // fresh per call: never derived, never counted
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG })
  cipher.setAAD(aad)
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
  return { nonce, body }
}

function gcmOpen (key: Buffer, aad: Buffer, nonce: Buffer, body: Buffer): Buffer {
  if (body.length < TAG) throw new DecryptError('format')
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG })
    decipher.setAAD(aad)
    decipher.setAuthTag(body.subarray(body.length - TAG))
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG)), decipher.final()])
  } catch {
    throw new DecryptError('authentication')
  }
}

/** A new DEK, wrapped under `master`. The plain DEK is returned for the one encryption it is made for. */
export function newDataKey (master: MasterKey, dekId: string): { dek: Buffer, wrapped: Buffer } {
  const dek = randomBytes(32)
  return { dek, wrapped: wrapDataKey(master, dekId, dek) }
}

export function wrapDataKey (master: MasterKey, dekId: string, dek: Buffer): Buffer {
  const { nonce, body } = gcmSeal(master.key, dekAad(dekId), dek)
  return Buffer.concat([Buffer.from([FORMAT]), master.id, nonce, body])
}

/** The id of the master key a wrapped DEK names. */
export function wrappedKeyId (wrapped: Buffer): Buffer {
  if (wrapped.length < WRAP_HEADER + TAG || wrapped[0] !== FORMAT) throw new DecryptError('format')
  return wrapped.subarray(1, 1 + KEY_ID)
}

/** Unwraps with whichever key the wrapped DEK names (`keys` looks it up by id). */
export function unwrapDataKey (keys: (id: Buffer) => MasterKey | undefined, dekId: string, wrapped: Buffer): Buffer {
  const master = keys(wrappedKeyId(wrapped))
  if (!master) throw new DecryptError('unknown_master_key')
  const dek = gcmOpen(master.key, dekAad(dekId), wrapped.subarray(1 + KEY_ID, WRAP_HEADER), wrapped.subarray(WRAP_HEADER))
  if (dek.length !== 32) throw new DecryptError('format')
  return dek
}

export function encryptValue (dek: Buffer, dekId: string, address: SecretAddress, value: string): Buffer {
  const { nonce, body } = gcmSeal(dek, secretAad(address), Buffer.from(value, 'utf8'))
  return Buffer.concat([Buffer.from([FORMAT]), uuidBytes(dekId), nonce, body])
}

/** The DEK id a value ciphertext names (must equal the version's dek_id, else it was moved). */
export function ciphertextDekId (ciphertext: Buffer): string {
  if (ciphertext.length < VALUE_HEADER + TAG || ciphertext[0] !== FORMAT) throw new DecryptError('format')
  return uuidText(ciphertext.subarray(1, 1 + DEK_ID))
}

export function decryptValue (dek: Buffer, dekId: string, address: SecretAddress, ciphertext: Buffer): string {
  if (ciphertextDekId(ciphertext) !== dekId) throw new DecryptError('dek_mismatch')
  const plain = gcmOpen(dek, secretAad(address), ciphertext.subarray(1 + DEK_ID, VALUE_HEADER), ciphertext.subarray(VALUE_HEADER))
  return plain.toString('utf8')
}

/** One write's crypto: a fresh DEK, the value under it, the DEK under the master key. */
export function sealValue (master: MasterKey, dekId: string, address: SecretAddress, value: string): { wrapped: Buffer, ciphertext: Buffer } {
  const { dek, wrapped } = newDataKey(master, dekId)
  try {
    return { wrapped, ciphertext: encryptValue(dek, dekId, address, value) }
  } finally {
    dek.fill(0)
  }
}

/** The nonce inside a value ciphertext (for tests of nonce freshness). */
export const valueNonce = (ciphertext: Buffer): Buffer => ciphertext.subarray(1 + DEK_ID, VALUE_HEADER)
