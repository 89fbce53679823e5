// The gpu-coordinator's mesh API shapes (SPEC §7.1, §7.4; services/gpu-coordinator mesh and nodes schemas).

export interface MeshNode {
  id: string
  name: string
  status: string
  breaker: string
  labels: Record<string, string>
  gpu: { count: number, type: string, memoryMb: number, memoryUsedMb?: number } | null
  loaded: Array<{ model: string, sizeMb: number, expiresAt: string | null }>
  inflight: number
  maxInflight: number
  tokPerSec: Record<string, number>
  errorRate: number
  lastSeenAt: string | null
}

export interface Mesh {
  nodes?: MeshNode[]
  queue?: { depth: number, byClass: Record<string, number> }
  models: Array<{ name: string, nodes?: string[], loadedOn?: string[], available: boolean, loaded: boolean }>
  totals: { nodes: number, healthy: number, gpus: number, memoryMb: number }
}

export interface Sample { at: string, queueDepth: number, byClass: Record<string, number>, inflight: Record<string, number> }

export interface Decision {
  id: string
  requestId: string
  at: string
  model: string
  class: string
  identity: string
  candidates: Array<{ node: string, eligible: boolean, reason?: string, score: number, components: Record<string, number> }>
  chosen: string | null
  queueMs: number
  failovers: number
  outcome: string
  ttftMs: number | null
  tokensOut: number | null
  durationMs: number
}

export interface TestResult { ok: true, version: string, models: Array<{ name: string, sizeMb: number }>, latencyMs: number }
