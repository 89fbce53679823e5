// ROBBIE_GPU_NODES at boot: valid entries come back normalised; a bad one stops the coordinator, naming it.
import { describe, expect, it } from 'vitest'
import { ConfigError } from '@robbie/service-kit'
import { parseConfigNodes } from './config-nodes.js'

const resolve = async (host: string) => ({ 'gpu-1.lan': ['192.168.1.20'], 'evil.lan': ['169.254.169.254'] } as Record<string, string[]>)[host] ?? []
const problems = async (raw: string, allowLoopback = false) =>
  await parseConfigNodes(raw, { allowLoopback, resolve }).then(() => [], (err: unknown) => (err instanceof ConfigError ? err.problems : ['not a ConfigError']))

describe('ROBBIE_GPU_NODES', () => {
  it('accepts an empty value and a valid list, normalising each base URL', async () => {
    expect(await parseConfigNodes('', { allowLoopback: false, resolve })).toEqual([])
    const nodes = await parseConfigNodes(JSON.stringify([
      { name: 'gpu-1', baseUrl: 'http://gpu-1.lan:11434/', labels: { zone: 'a' }, maxInflight: 4, gpu: { count: 2, type: 'A6000', memoryMb: 96_000 } },
      { name: 'local', baseUrl: 'http://127.0.0.1:11434' }
    ]), { allowLoopback: true, resolve })
    expect(nodes).toEqual([
      { name: 'gpu-1', baseUrl: 'http://gpu-1.lan:11434', labels: { zone: 'a' }, maxInflight: 4, gpu: { count: 2, type: 'A6000', memoryMb: 96_000 } },
      { name: 'local', baseUrl: 'http://127.0.0.1:11434' }
    ])
  })

  it('names every bad entry: bad JSON, wrong shape, a refused URL, a duplicate name', async () => {
    expect(await problems('{not json')).toEqual([expect.stringMatching(/^ROBBIE_GPU_NODES: not valid JSON/)])
    expect(await problems('{"name":"x"}')).toEqual(['ROBBIE_GPU_NODES: must be a JSON array'])
    const list = JSON.stringify([
      { name: 'ok', baseUrl: 'http://gpu-1.lan:11434' },
      { name: 'gpu-bad', baseUrl: 'http://evil.lan:11434' },
      { name: 'loop', baseUrl: 'http://127.0.0.1:11434' },
      { name: 'ok', baseUrl: 'http://10.0.0.9:11434' },
      { baseUrl: 'http://10.0.0.9:11434' },
      { name: 'extra', baseUrl: 'http://10.0.0.9:11434', token: 'x' }
    ])
    expect(await problems(list)).toEqual([
      expect.stringMatching(/^ROBBIE_GPU_NODES\[1\] \(gpu-bad\): baseUrl not allowed: evil\.lan resolves to 169\.254\.169\.254/),
      expect.stringMatching(/^ROBBIE_GPU_NODES\[2\] \(loop\): baseUrl not allowed: .*loopback/),
      'ROBBIE_GPU_NODES[3] (ok): the name is used twice',
      expect.stringMatching(/^ROBBIE_GPU_NODES\[4\]: /),
      expect.stringMatching(/^ROBBIE_GPU_NODES\[5\] \(extra\): /)
    ])
  })
})
