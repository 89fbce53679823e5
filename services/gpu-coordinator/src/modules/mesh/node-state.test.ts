// SPEC §7.1's statuses from what polls, probes, the breaker, heartbeats and admins say about a node.
import { describe, expect, it } from 'vitest'
import { uuidv7 } from '@robbie/contracts'
import { createMesh, type MeshConfig } from './mesh.js'
import { computeStatus, freeMemoryMb, type NodeState } from './node-state.js'

const NOW = 10_000_000
const config = { ROBBIE_GPU_OFFLINE_AFTER_MS: 60_000, ROBBIE_GPU_BREAKER_OPEN_MS: 30_000 } as MeshConfig
function node (): NodeState {
  const mesh = createMesh({ config, now: () => NOW })
  return mesh.put({
    id: uuidv7(),
    name: 'n',
    baseUrl: 'http://10.0.0.1:11434',
    labels: {},
    gpu: { count: 1, type: 'L4', memoryMb: 24_000 },
    maxInflight: 2,
    enabled: true,
    draining: false,
    busy: false,
    memoryUsedMb: null,
    heartbeatAt: null,
    source: 'api',
    agentKey: false,
    registeredAt: new Date(NOW).toISOString()
  }, { polledAt: NOW, models: [{ name: 'a:latest', sizeMb: 5000, loaded: true, expiresAt: null, tokPerSec: null }, { name: 'b:latest', sizeMb: 7000, loaded: false, expiresAt: null, tokPerSec: null }] })
}
const status = (n: NodeState, now = NOW) => computeStatus(n, { now, offlineAfterMs: 60_000 })

describe('node status', () => {
  it('is healthy with a fresh poll, degraded from 15 s, offline from 60 s', () => {
    const n = node()
    expect([status(n), status(n, NOW + 14_999), status(n, NOW + 15_000), status(n, NOW + 59_999), status(n, NOW + 60_000)])
      .toEqual(['healthy', 'healthy', 'degraded', 'degraded', 'offline'])
    n.lastPollOkAt = null
    expect(status(n)).toBe('offline')
  })

  it('is degraded by a slow or failed probe or more than 20 % errors', () => {
    const slow = node(); slow.probeMs = 5001
    const failed = node(); failed.probeOk = false
    const errors = node(); errors.errorRate = 0.21
    expect([status(slow), status(failed), status(errors)]).toEqual(['degraded', 'degraded', 'degraded'])
  })

  it('is unhealthy while the breaker is open, busy while a fresh heartbeat says so', () => {
    const broken = node()
    for (let i = 0; i < 3; i++) broken.breaker.failure(NOW, false)
    expect(status(broken)).toBe('unhealthy')
    const busy = node()
    busy.busy = true
    busy.heartbeatAt = new Date(NOW - 1000).toISOString()
    expect(status(busy)).toBe('busy')
    busy.heartbeatAt = new Date(NOW - 60_000).toISOString() // the agent went quiet: its word no longer counts
    expect(status(busy)).toBe('healthy')
  })

  it('shows the admin states first', () => {
    const n = node()
    n.draining = true
    expect(status(n)).toBe('draining')
    n.enabled = false
    n.lastPollOkAt = null
    expect(status(n)).toBe('disabled')
  })

  it('counts free memory from loaded models or what the agent reports, whichever is more', () => {
    const n = node()
    expect(freeMemoryMb(n)).toBe(19_000)
    n.memoryUsedMb = 20_000
    expect(freeMemoryMb(n)).toBe(4000)
    n.gpu = null
    expect(freeMemoryMb(n)).toBeNull()
  })
})
