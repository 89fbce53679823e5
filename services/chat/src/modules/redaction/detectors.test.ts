// One case per detector of SPEC §3.5 (and one that must be left alone), plus Luhn.
import { describe, expect, it } from 'vitest'
import { applySpans, detectSpans, luhnValid } from './detectors.js'

const redact = (text: string) => applySpans(text, detectSpans(text))

describe('pattern detectors', () => {
  it('robbie_ keys', () => {
    expect(redact('key robbie_pat_K7d2QmX9aB3cZx81LmQp0Rt5Vw2Ny6Hs4Jk9Df3Ga7Pe3vdDHK ok')).toBe('key [REDACTED:robbie_key] ok')
  })

  it('JWTs', () => {
    const jwt = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXBhcnQ'
    expect(redact(`Bearer ${jwt}.`)).toBe('Bearer [REDACTED:jwt].')
  })

  it('PEM private-key blocks, over several lines', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabcd\n-----END RSA PRIVATE KEY-----'
    expect(redact(`here:\n${pem}\nthanks`)).toBe('here:\n[REDACTED:private_key]\nthanks')
    expect(redact('-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----')).toContain('BEGIN PUBLIC KEY')
  })

  it('AWS access key ids', () => {
    expect(redact('AKIAIOSFODNN7EXAMPLE is the id')).toBe('[REDACTED:aws_access_key] is the id')
  })

  it('GitHub tokens (ghp_, gho_, ghs_, ghu_, github_pat_)', () => {
    for (const t of ['ghp_', 'gho_', 'ghs_', 'ghu_']) expect(redact(`${t}abcdefghijklmnopqrstuvwxyz0123`)).toBe('[REDACTED:github_token]')
    expect(redact('github_pat_11ABCDEFG0123456789_abcdefghijkl')).toBe('[REDACTED:github_token]')
  })

  it('Slack tokens (xoxa-, xoxb-, xoxp-, xoxr-)', () => {
    expect(redact('use xoxb-1234567890-abcdefghij please')).toBe('use [REDACTED:slack_token] please')
    expect(redact('xoxz-1234567890-abcdefghij')).toBe('xoxz-1234567890-abcdefghij')
  })

  it('Google OAuth tokens (ya29.)', () => {
    expect(redact('ya29.a0AfH6SMBx-abcdefghijklmnop_qrst')).toBe('[REDACTED:google_oauth]')
  })

  it('password= / secret= / token= assignments keep the key, lose the value', () => {
    expect(redact('login with password=hunter2!')).toBe('login with password=[REDACTED:password]')
    expect(redact('SMTP_PASSWORD = "p4ss word"')).toBe('SMTP_PASSWORD = [REDACTED:password]')
    expect(redact('client_secret: abc123xyz')).toBe('client_secret: [REDACTED:secret]')
    expect(redact("api_token='t0k3n'")).toBe('api_token=[REDACTED:token]')
    expect(redact('The secret: focus on leverage.')).toBe('The secret: focus on leverage.')
    expect(redact('It used 1200 tokens = fine')).toBe('It used 1200 tokens = fine')
  })

  it('16-digit card numbers passing Luhn, with or without separators', () => {
    expect(redact('card 4111 1111 1111 1111 exp')).toBe('card [REDACTED:card_number] exp')
    expect(redact('4111-1111-1111-1111')).toBe('[REDACTED:card_number]')
    expect(redact('4111111111111111')).toBe('[REDACTED:card_number]')
    expect(redact('order 4111111111111112')).toBe('order 4111111111111112')
    expect(redact('id 41111111111111110')).toBe('id 41111111111111110')
  })

  it('US SSNs', () => {
    expect(redact('SSN 123-45-6789.')).toBe('SSN [REDACTED:ssn].')
    expect(redact('000-12-3456 and 2024-01-15')).toBe('000-12-3456 and 2024-01-15')
  })

  it('leaves email addresses and ordinary text alone', () => {
    const text = 'Write to olivia@example.com about the Q3 plan, ticket #1234.'
    expect(redact(text)).toBe(text)
  })

  it('Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true)
    expect(luhnValid('5500005555555559')).toBe(true)
    expect(luhnValid('1234567812345678')).toBe(false)
  })
})
