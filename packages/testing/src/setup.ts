// Runs before every test file: a test that asserts nothing fails (CONVENTIONS §4).
import { beforeEach, expect } from 'vitest'

beforeEach(() => { expect.hasAssertions() })
