// The surface (SPEC §4.4): computed at read time from the items the viewer may read, with the viewer's
// strategic focus (user_focus.gandhi, no row = 5). Pinned first (counting toward `top`), then the top human
// items by P; all others submerged by quadrant. Cached per viewer and version (surface.cache.ts); when Redis
// is down it is computed directly.
import type { Pool } from '@robbie/db'
import { compareScored, roundScore } from '../scoring/score.js'
import type { ScoredItem } from '../scoring/types.js'
import { scoreRow, type ItemRow, type ItemsRepository, type Quadrant, type Viewer } from '../items/index.js'
import type { PersonFacts } from '../items/scoring-input.js'
import type { SurfaceCache } from './surface.cache.js'

export const QUADRANTS: Quadrant[] = ['Q1', 'Q2', 'Q3', 'Q4']
const Q1_OVERLOAD = 10
/**
 * Briefs listed per quadrant in `submerged`: the surface is a summary that must stay small and fast to serve
 * (10.7 MB with 100k open items listed in full); every item of a quadrant is at GET /quadrants/:q, paged, and
 * `stats` still counts them all.
 */
export const SUBMERGED_PER_QUADRANT = 50

export interface ScoredRow { item: ItemRow, s: ScoredItem }

export const surfacedView = (r: ScoredRow) => ({
  id: r.item.id,
  kind: r.item.kind,
  title: r.item.title,
  quadrant: r.s.quadrant,
  label: r.s.label,
  score: roundScore(r.s.score),
  importance: roundScore(r.s.importance),
  urgency: roundScore(r.s.urgency),
  ...(r.s.effort !== undefined ? { effort: r.s.effort } : {}),
  domain: r.s.domain,
  revenuePotential: r.s.revenuePotential,
  deadline: (r.item.task ? r.item.task.dueAt : r.item.deadline)?.toISOString() ?? null,
  why: r.s.why,
  source: { type: r.item.sourceType ?? 'priorities', id: r.item.sourceId ?? r.item.id, ...(r.item.sourceUrl ? { url: r.item.sourceUrl } : {}) },
  taint: r.item.taint,
  pinned: r.item.pinned
})
const brief = (r: ScoredRow) => ({ id: r.item.id, kind: r.item.kind, title: r.item.title, score: roundScore(r.s.score) })

export function createSurfaceService (deps: { pool: Pool, repo: Pick<ItemsRepository, 'listOpenVisible'>, cache?: Pick<SurfaceCache, 'versions' | 'get' | 'set'>, now?: () => Date }) {
  const now = deps.now ?? (() => new Date())

  async function gandhiOf (userId: string): Promise<number> {
    const { rows } = await deps.pool.query('SELECT gandhi FROM user_focus WHERE user_id = $1', [userId])
    return (rows[0]?.gandhi as number | undefined) ?? 5
  }
  async function settingsOf (userId: string): Promise<{ count: number, onlyQ1: boolean }> {
    const { rows } = await deps.pool.query('SELECT surface_count, surface_only_q1 FROM user_settings WHERE user_id = $1', [userId])
    return { count: (rows[0]?.surface_count as number | undefined) ?? 10, onlyQ1: (rows[0]?.surface_only_q1 as boolean | undefined) ?? false }
  }
  const surfaceCount = async (userId: string) => (await settingsOf(userId)).count
  async function people (emails: string[]): Promise<Map<string, PersonFacts>> {
    if (emails.length === 0) return new Map()
    const { rows } = await deps.pool.query('SELECT email, name, tier, score, response_hours FROM people WHERE email = ANY($1::text[])', [emails])
    return new Map(rows.map((r: Record<string, unknown>) => [r.email as string, { tier: r.tier as PersonFacts['tier'], score: r.score as number, responseHours: r.response_hours as number, name: r.name as string | null }]))
  }

  /** Every open item the viewer may read, scored with the viewer's weights, in surface order. */
  async function scored (viewer: Viewer): Promise<ScoredRow[]> {
    const at = now()
    const [items, gandhi] = await Promise.all([deps.repo.listOpenVisible(viewer, at), gandhiOf(viewer.userId)])
    const senders = await people([...new Set(items.map((i) => i.senderEmail?.toLowerCase()).filter((e): e is string => !!e))])
    const rows = items.map((item) => {
      // a sender with no people row counts as tier unknown, score 0, 48 h (SPEC §4.1)
      const sender = item.senderEmail ? (senders.get(item.senderEmail.toLowerCase()) ?? { tier: 'unknown' as const, score: 0, responseHours: 48, name: null }) : null
      return { item, s: scoreRow(item, at, sender, gandhi) }
    })
    return rows.sort((a, b) => compareScored(
      { id: a.item.id, score: a.s.score, deadline: a.item.task?.dueAt ?? a.item.deadline, effort: a.s.effort ?? null, createdAt: a.item.createdAt },
      { id: b.item.id, score: b.s.score, deadline: b.item.task?.dueAt ?? b.item.deadline, effort: b.s.effort ?? null, createdAt: b.item.createdAt }))
  }

  function stats (rows: ScoredRow[], surfaced: number) {
    const q = { Q1: 0, Q2: 0, Q3: 0, Q4: 0 }
    let agentQueue = 0
    let selfQueue = 0
    for (const r of rows) {
      q[r.s.quadrant]++
      if (r.s.domain === 'agent') agentQueue++
      if (r.s.domain === 'self') selfQueue++
    }
    return { total: rows.length, surfaced, submerged: rows.length - surfaced, q1: q.Q1, q2: q.Q2, q3: q.Q3, q4: q.Q4, agentQueue, selfQueue, q1Overload: q.Q1 > Q1_OVERLOAD }
  }

  async function build (viewer: Viewer, top: number, version: number) {
    const [rows, settings] = await Promise.all([scored(viewer), settingsOf(viewer.userId)])
    const pinned = rows.filter((r) => r.item.pinned)
    // surfaceOnlyQ1 (SPEC §4.6): only Do-now human items rise; pinned ones still do
    const human = rows.filter((r) => !r.item.pinned && r.s.domain === 'human' && (!settings.onlyQ1 || r.s.quadrant === 'Q1'))
    const chosen = [...pinned, ...human].slice(0, top)
    const ids = new Set(chosen.map((r) => r.item.id))
    const submerged: Record<Quadrant, ReturnType<typeof brief>[]> = { Q1: [], Q2: [], Q3: [], Q4: [] }
    for (const r of rows) {
      const list = submerged[r.s.quadrant]
      if (!ids.has(r.item.id) && list.length < SUBMERGED_PER_QUADRANT) list.push(brief(r))
    }
    return { version, generatedAt: now().toISOString(), surfaced: chosen.map(surfacedView), submerged, stats: stats(rows, chosen.length) }
  }

  /** One item scored for this viewer (their weights, the sender's people row), whatever its status. */
  async function scoreOne (viewer: Viewer, item: ItemRow): Promise<ScoredRow> {
    const email = item.senderEmail?.toLowerCase()
    const [gandhi, senders] = await Promise.all([gandhiOf(viewer.userId), people(email ? [email] : [])])
    const sender = email ? (senders.get(email) ?? { tier: 'unknown' as const, score: 0, responseHours: 48, name: null }) : null
    return { item, s: scoreRow(item, now(), sender, gandhi) }
  }

  return {
    scored,
    scoreOne,
    stats,
    /** Average score by kind over every open item the viewer may read (GET /stats). */
    async averages (viewer: Viewer): Promise<Record<string, number>> {
      const sums = new Map<string, { total: number, n: number }>()
      for (const r of await scored(viewer)) {
        const s = sums.get(r.item.kind) ?? { total: 0, n: 0 }
        s.total += r.s.score
        s.n++
        sums.set(r.item.kind, s)
      }
      return Object.fromEntries([...sums].map(([k, s]) => [k, s.total / s.n]))
    },
    /**
     * `{ json, etag }`: the cached answer when this viewer's versions hold one, else computed (and cached).
     * Versions are read before computing, so a write that lands meanwhile bumps past the stored key.
     */
    async surface (viewer: Viewer, top?: number): Promise<{ json: string, etag: string | null }> {
      // the viewer's count and the cache versions in one round of I/O: this is the cached path's whole cost
      const [n, v] = await Promise.all([top ?? surfaceCount(viewer.userId), deps.cache ? deps.cache.versions(viewer.userId) : null])
      if (!v) return { json: JSON.stringify(await build(viewer, n, 0)), etag: null }
      const etag = `"${v.user}.${v.company}.${n}"`
      const hit = await deps.cache!.get(viewer.userId, n, v)
      if (hit) return { json: hit, etag }
      const json = JSON.stringify(await build(viewer, n, v.user + v.company))
      await deps.cache!.set(viewer.userId, n, v, json)
      return { json, etag }
    },
    /** The current ETag, without computing (If-None-Match → 304). */
    async etag (viewer: Viewer, top?: number): Promise<string | null> {
      const v = deps.cache ? await deps.cache.versions(viewer.userId) : null
      if (!v) return null
      return `"${v.user}.${v.company}.${top ?? await surfaceCount(viewer.userId)}"`
    }
  }
}
export type SurfaceService = ReturnType<typeof createSurfaceService>
