import { describe, expect, it } from 'vitest'
import { isCron5, isTimeZone, slugify } from './company.service.js'

describe('company settings checks', () => {
  it('accepts IANA time zones only', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true)
    expect(isTimeZone('UTC')).toBe(true)
    expect(isTimeZone('Mars/Olympus')).toBe(false)
  })

  it('accepts 5-field cron expressions', () => {
    for (const ok of ['0 8 * * 1-5', '*/15 * * * *', '0 8,12 1 1 0']) expect(isCron5(ok)).toBe(true)
    for (const bad of ['0 8 * *', 'every day', '0 8 * * 1-5 2025', '0 8 * * MON']) expect(isCron5(bad)).toBe(false)
  })

  it('derives a slug from the company name', () => {
    expect(slugify('Acme Robotics GmbH')).toBe('acme-robotics-gmbh')
    expect(slugify('Café  Über!')).toBe('cafe-uber')
    expect(slugify('!!!')).toBe('company')
  })
})
