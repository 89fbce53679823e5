// A secret's address in the URL (SPEC §5.3): path parts encoded, scopeId only when there is one.
import { expect, test } from 'vitest'
import { entryPath } from './types.js'

test('a global secret has no scopeId; a node secret carries it; suffixes go before the query', () => {
  expect(entryPath({ service: 'smtp', name: 'password', scope: 'global', scopeId: '' })).toBe('/api/secrets/entries/smtp/password?scope=global')
  expect(entryPath({ service: 'ollama', name: 'api.key', scope: 'node', scopeId: 'gpu-1' }, '/reveal'))
    .toBe('/api/secrets/entries/ollama/api.key/reveal?scope=node&scopeId=gpu-1')
})
