import { describe, expect, it } from 'vitest'
import { newSetupCode, normaliseSetupCode } from './setup-code.js'

describe('setup codes', () => {
  it('are five groups of four unambiguous characters', () => {
    const code = newSetupCode()
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/)
    expect(newSetupCode()).not.toBe(code)
  })

  it('ignore case, dashes and spaces when typed back', () => {
    expect(normaliseSetupCode(' abcd-efgh jkmn-pqrs-tvwx ')).toBe('ABCDEFGHJKMNPQRSTVWX')
  })
})
