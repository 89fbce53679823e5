// The envelope, pure: round trips, tampering, moved ciphertexts, nonce freshness, key ids (SPEC §5.2).
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { uuidv7 } from '@robbie/contracts'
import {
  checkMatches, checkValue, decryptValue, DecryptError, encryptValue, masterKeyId, newDataKey, parseMasterKey, redactKey,
  sealValue, unwrapDataKey, valueHmac, valueNonce, wrapDataKey, wrappedKeyId, type MasterKey, type SecretAddress
} from './envelope.js'

const master = (): MasterKey => {
  const parsed = parseMasterKey(randomBytes(32).toString('base64'))
  if (!parsed.ok) throw new Error('bad test key')
  return parsed.key
}
const address = (over: Partial<SecretAddress> = {}): SecretAddress =>
  ({ secretId: uuidv7(), version: 1, service: 'smtp', name: 'password', scope: 'global', scopeId: '', ...over })

function openValue (keys: MasterKey[], dekId: string, wrapped: Buffer, at: SecretAddress, ciphertext: Buffer): string {
  const dek = unwrapDataKey((id) => keys.find((k) => k.id.equals(id)), dekId, wrapped)
  return decryptValue(dek, dekId, at, ciphertext)
}

describe('envelope', () => {
  it('round-trips a value through a fresh DEK wrapped by the master key', () => {
    const key = master()
    const at = address()
    const dekId = uuidv7()
    const { wrapped, ciphertext } = sealValue(key, dekId, at, 'hunter2-é-🔑')
    expect(openValue([key], dekId, wrapped, at, ciphertext)).toBe('hunter2-é-🔑')
    expect(wrappedKeyId(wrapped).equals(key.id)).toBe(true)
    expect(ciphertext.toString('latin1')).not.toContain('hunter2')
  })

  it('fails with a DecryptError for every flipped byte of the value or the wrapped DEK', () => {
    const key = master()
    const at = address()
    const dekId = uuidv7()
    const { wrapped, ciphertext } = sealValue(key, dekId, at, 'correct horse battery staple')
    for (const [which, buf] of [['value', ciphertext], ['dek', wrapped]] as const) {
      for (let i = 0; i < buf.length; i++) {
        const bad = Buffer.from(buf)
        bad[i] = bad[i]! ^ 0x01
        const run = () => which === 'value' ? openValue([key], dekId, wrapped, at, bad) : openValue([key], dekId, bad, at, ciphertext)
        expect(run, `${which} byte ${i}`).toThrow(DecryptError)
      }
    }
  })

  it('refuses a ciphertext moved to another secret, version, address or DEK', () => {
    const key = master()
    const at = address()
    const dekId = uuidv7()
    const { wrapped, ciphertext } = sealValue(key, dekId, at, 'value-of-one-row')
    for (const other of [{ secretId: uuidv7() }, { version: 2 }, { service: 'slack' }, { name: 'token' }, { scope: 'node', scopeId: 'gpu-1' }]) {
      expect(() => openValue([key], dekId, wrapped, { ...at, ...other }, ciphertext)).toThrow(DecryptError)
    }
    // a DEK wrapped for another id does not open, and a value names the DEK it was made with
    const otherId = uuidv7()
    expect(() => openValue([key], otherId, wrapped, at, ciphertext)).toThrow(DecryptError)
    const other = newDataKey(key, otherId)
    expect(() => openValue([key], otherId, other.wrapped, at, ciphertext)).toThrow(/dek_mismatch/)
  })

  it('unwraps with whichever key the DEK names, and not with an unknown one', () => {
    const [oldKey, newKey] = [master(), master()]
    const at = address()
    const dekId = uuidv7()
    const { dek, wrapped } = newDataKey(oldKey, dekId)
    const ciphertext = encryptValue(dek, dekId, at, 'survives rotation')
    const rewrapped = wrapDataKey(newKey, dekId, unwrapDataKey((id) => (id.equals(oldKey.id) ? oldKey : undefined), dekId, wrapped))
    expect(openValue([newKey], dekId, rewrapped, at, ciphertext)).toBe('survives rotation')
    expect(() => openValue([newKey], dekId, wrapped, at, ciphertext)).toThrow(/unknown_master_key/)
  })

  it('uses a fresh nonce for each of 100,000 encryptions', () => {
    const dek = randomBytes(32)
    const dekId = uuidv7()
    const at = address()
    const seen = new Set<string>()
    for (let i = 0; i < 100_000; i++) seen.add(valueNonce(encryptValue(dek, dekId, at, 'same value every time')).toString('hex'))
    expect(seen.size).toBe(100_000)
  }, 120_000)

  it('derives key ids, check values and the redaction key deterministically', () => {
    const raw = Buffer.alloc(32, 7)
    const parsed = parseMasterKey(raw.toString('base64'))
    expect(parsed.ok && parsed.key.id.equals(masterKeyId(raw))).toBe(true)
    expect(masterKeyId(raw)).toHaveLength(8)
    const key = master()
    expect(checkMatches(key, checkValue(key))).toBe(true)
    expect(checkMatches(master(), checkValue(key))).toBe(false)
    expect(valueHmac(redactKey(key), 'abcdefgh').equals(valueHmac(redactKey(key), 'abcdefgh'))).toBe(true)
    expect(valueHmac(redactKey(key), 'abcdefgh').equals(valueHmac(redactKey(master()), 'abcdefgh'))).toBe(false)
    expect(parseMasterKey(randomBytes(31).toString('base64'))).toEqual({ ok: false, reason: 'bad_key_length' })
    expect(parseMasterKey('not base64 at all!')).toEqual({ ok: false, reason: 'bad_key_length' })
  })
})
