// SQL of the node registry (SPEC §7.1): `nodes` and `node_models`. Rows map to camelCase records; the in-memory
// state (mesh) is built from them at start and reconciled from them on every poll round.
import type { Pool, Queryable } from '@robbie/db'
import type { BreakerState, NodeStatus } from '../mesh/mesh.types.js'
import type { Gpu, ModelState, NodeRecord } from '../mesh/node-state.js'

const COLUMNS = 'id, name, base_url, labels, gpu, max_inflight, enabled, draining, busy, memory_used_mb, heartbeat_at, source, agent_key, registered_at, status'

interface Row {
  id: string,
  name: string,
  base_url: string,
  labels: Record<string, string>,
  gpu: Gpu | null,
  max_inflight: number,
  enabled: boolean,
  draining: boolean,
  busy: boolean,
  memory_used_mb: number | null,
  heartbeat_at: Date | null,
  source: 'api' | 'config',
  agent_key: boolean,
  registered_at: Date,
  status: NodeStatus
}

const toRecord = (r: Row): NodeRecord & { status: NodeStatus } => ({
  id: r.id,
  name: r.name,
  baseUrl: r.base_url,
  labels: r.labels,
  gpu: r.gpu,
  maxInflight: r.max_inflight,
  enabled: r.enabled,
  draining: r.draining,
  busy: r.busy,
  memoryUsedMb: r.memory_used_mb,
  heartbeatAt: r.heartbeat_at?.toISOString() ?? null,
  source: r.source,
  agentKey: r.agent_key,
  registeredAt: r.registered_at.toISOString(),
  status: r.status
})

export interface NodeChanges { labels?: Record<string, string>, maxInflight?: number, enabled?: boolean, draining?: boolean }
export interface NodeHealth { status: NodeStatus, breaker: BreakerState, breakerOpenedAt: Date | null, lastSeenAt: Date | null, lastProbeAt: Date | null }

export function createNodesRepository (pool: Pool) {
  return {
    async insert (n: NodeRecord, client: Queryable = pool): Promise<void> {
      await client.query(
        `INSERT INTO nodes (id, name, base_url, labels, gpu, max_inflight, enabled, draining, source, agent_key, registered_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'healthy')`,
        [n.id, n.name, n.baseUrl, JSON.stringify(n.labels), n.gpu ? JSON.stringify(n.gpu) : null, n.maxInflight, n.enabled, n.draining, n.source, n.agentKey, n.registeredAt])
    },
    async get (id: string, client: Queryable = pool) {
      const { rows } = await client.query<Row>(`SELECT ${COLUMNS} FROM nodes WHERE id = $1`, [id])
      return rows[0] ? toRecord(rows[0]) : undefined
    },
    async nameTaken (name: string): Promise<boolean> {
      return (await pool.query('SELECT 1 FROM nodes WHERE name = $1', [name])).rowCount === 1
    },
    async listAll () {
      const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM nodes ORDER BY name`)
      return rows.map(toRecord)
    },
    /** A page of node ids by name (the API renders them from the mesh's view). */
    async page (limit: number, afterName?: string): Promise<string[]> {
      const { rows } = await pool.query<{ id: string }>('SELECT id FROM nodes WHERE ($1::text IS NULL OR name > $1) ORDER BY name LIMIT $2', [afterName ?? null, limit])
      return rows.map((r) => r.id)
    },
    async update (id: string, c: NodeChanges, client: Queryable = pool) {
      const { rows } = await client.query<Row>(
        `UPDATE nodes SET labels = COALESCE($2, labels), max_inflight = COALESCE($3, max_inflight), enabled = COALESCE($4, enabled),
           draining = COALESCE($5, draining), updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, c.labels ? JSON.stringify(c.labels) : null, c.maxInflight ?? null, c.enabled ?? null, c.draining ?? null])
      return rows[0] ? toRecord(rows[0]) : undefined
    },
    async remove (id: string, client: Queryable = pool): Promise<boolean> {
      return (await client.query('DELETE FROM nodes WHERE id = $1', [id])).rowCount === 1
    },
    /** ROBBIE_GPU_NODES: insert, or update by name when something differs; undefined when nothing changed. */
    async upsertFromConfig (n: NodeRecord, client: Queryable): Promise<{ id: string, inserted: boolean } | undefined> {
      const { rows } = await client.query<{ id: string, inserted: boolean }>(
        `INSERT INTO nodes (id, name, base_url, labels, gpu, max_inflight, source, registered_at) VALUES ($1, $2, $3, $4, $5, $6, 'config', $7)
         ON CONFLICT (name) DO UPDATE SET base_url = EXCLUDED.base_url, labels = EXCLUDED.labels, gpu = EXCLUDED.gpu,
           max_inflight = EXCLUDED.max_inflight, updated_at = now()
         WHERE (nodes.base_url, nodes.labels, nodes.max_inflight) IS DISTINCT FROM (EXCLUDED.base_url, EXCLUDED.labels, EXCLUDED.max_inflight)
           OR nodes.gpu IS DISTINCT FROM EXCLUDED.gpu
         RETURNING id, (xmax = 0) AS inserted`,
        [n.id, n.name, n.baseUrl, JSON.stringify(n.labels), n.gpu ? JSON.stringify(n.gpu) : null, n.maxInflight, n.registeredAt])
      return rows[0]
    },
    async heartbeat (id: string, hb: { busy: boolean, memoryUsedMb: number | null, at: Date }): Promise<void> {
      await pool.query('UPDATE nodes SET busy = $2, memory_used_mb = COALESCE($3, memory_used_mb), heartbeat_at = $4 WHERE id = $1', [id, hb.busy, hb.memoryUsedMb, hb.at])
    },
    /** Writes the health columns; returns the status the row had before (locked), or undefined when it is gone. */
    async saveHealth (id: string, h: NodeHealth, client: Queryable): Promise<NodeStatus | undefined> {
      const { rows } = await client.query<{ status: NodeStatus }>('SELECT status FROM nodes WHERE id = $1 FOR UPDATE', [id])
      if (!rows[0]) return undefined
      await client.query('UPDATE nodes SET status = $2, breaker_state = $3, breaker_opened_at = $4, last_seen_at = $5, last_probe_at = $6 WHERE id = $1',
        [id, h.status, h.breaker, h.breakerOpenedAt, h.lastSeenAt, h.lastProbeAt])
      return rows[0].status
    },
    /** Replaces the node's model rows with `models` (one statement each way). */
    async saveModels (nodeId: string, models: ModelState[]): Promise<void> {
      const names = models.map((m) => m.name)
      await pool.query('DELETE FROM node_models WHERE node_id = $1 AND NOT (model = ANY($2::text[]))', [nodeId, names])
      if (models.length === 0) return
      await pool.query(
        `INSERT INTO node_models (node_id, model, size_mb, loaded, expires_at, tok_per_s_ewma, digest, modified_at, details, updated_at)
         SELECT $1, m.model, m.size_mb, m.loaded, m.expires_at, m.tok, m.digest, m.modified_at, m.details, now()
         FROM jsonb_to_recordset($2::jsonb) AS m(model text, size_mb int, loaded boolean, expires_at timestamptz, tok double precision, digest text, modified_at timestamptz, details jsonb)
         WHERE EXISTS (SELECT 1 FROM nodes WHERE id = $1)
         ON CONFLICT (node_id, model) DO UPDATE SET size_mb = EXCLUDED.size_mb, loaded = EXCLUDED.loaded, expires_at = EXCLUDED.expires_at,
           tok_per_s_ewma = EXCLUDED.tok_per_s_ewma, digest = EXCLUDED.digest, modified_at = EXCLUDED.modified_at, details = EXCLUDED.details, updated_at = now()`,
        [nodeId, JSON.stringify(models.map((m) => ({
          model: m.name, size_mb: Math.round(m.sizeMb), loaded: m.loaded, expires_at: m.expiresAt, tok: m.tokPerSec, digest: m.digest ?? null, modified_at: m.modifiedAt ?? null, details: m.details ?? null
        })))])
    },
    async loadModels (): Promise<Map<string, ModelState[]>> {
      const { rows } = await pool.query<{ node_id: string, model: string, size_mb: number, loaded: boolean, expires_at: Date | null, tok_per_s_ewma: number | null, digest: string | null, modified_at: Date | null, details: unknown }>(
        'SELECT node_id, model, size_mb, loaded, expires_at, tok_per_s_ewma, digest, modified_at, details FROM node_models ORDER BY node_id, model')
      const byNode = new Map<string, ModelState[]>()
      for (const r of rows) {
        const list = byNode.get(r.node_id) ?? []
        list.push({
          name: r.model,
          sizeMb: r.size_mb,
          loaded: r.loaded,
          expiresAt: r.expires_at?.toISOString() ?? null,
          tokPerSec: r.tok_per_s_ewma,
          ...(r.digest !== null ? { digest: r.digest } : {}),
          ...(r.modified_at !== null ? { modifiedAt: r.modified_at.toISOString() } : {}),
          ...(r.details !== null ? { details: r.details } : {})
        })
        byNode.set(r.node_id, list)
      }
      return byNode
    }
  }
}
export type NodesRepository = ReturnType<typeof createNodesRepository>
