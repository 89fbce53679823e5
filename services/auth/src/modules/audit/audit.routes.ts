// The audit viewer (SPEC §2.4) and the hourly checkpoint job. Rows of every service's chain are read through
// its GET /internal/<service>/audit with auth's own service key; auth's own chain is read locally.
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { PageQuery } from '@robbie/contracts'
import { withTransaction } from '@robbie/db'
import { AuditEventSchema, type KitConfig } from '@robbie/service-kit'
import type { AuditConfig } from './audit.config.js'
import { fleetChains } from './chains.js'
import { loadCheckpointKey, takeCheckpoints } from './checkpoints.js'
import { createAuditService } from './audit.service.js'
import { AuditListQuery, AuditPage, AuditRowParams, CheckpointPage, VerifyAuditBody, VerifyAuditReply } from './audit.schemas.js'

export interface AuditModuleOptions {
  config: AuditConfig & KitConfig
  /** ms between checkpoint runs (SPEC §2.4: hourly); 0 turns the job off */
  checkpointEveryMs?: number
}

const HOUR_MS = 3_600_000

export async function auditModule (app: FastifyInstance, opts: AuditModuleOptions): Promise<void> {
  const key = loadCheckpointKey(opts.config.ROBBIE_AUDIT_CHECKPOINT_KEY_FILE)
  const chains = fleetChains({ pool: app.db, config: opts.config as unknown as Record<string, unknown>, serviceKeyFile: opts.config.ROBBIE_SERVICE_KEY_FILE })
  const service = createAuditService({ pool: app.db, chains, publicKey: key.publicKey })

  app.get('/api/auth/audit', {
    config: { scope: 'auth:audit' },
    schema: { tags: ['audit'], summary: 'Audit rows of every service, newest first (members: their own)', querystring: AuditListQuery, response: { 200: AuditPage } }
  }, async (request) => await service.list(request.identity!, request.query as Static<typeof AuditListQuery>))

  app.get('/api/auth/audit/checkpoints', {
    config: { scope: 'auth:audit', roles: ['owner', 'admin'] },
    schema: { tags: ['audit'], summary: 'Signed chain checkpoints, newest first', querystring: PageQuery, response: { 200: CheckpointPage } }
  }, async (request) => await service.checkpoints(request.query as Static<typeof PageQuery>))

  app.get('/api/auth/audit/:service/:seq', {
    config: { scope: 'auth:audit' },
    schema: { tags: ['audit'], summary: 'One audit row with its prevHash and hash', params: AuditRowParams, response: { 200: AuditEventSchema } }
  }, async (request) => {
    const { service: name, seq } = request.params as Static<typeof AuditRowParams>
    return await service.get(request.identity!, name, seq)
  })

  app.post('/api/auth/audit/verify', {
    config: { scope: 'auth:audit', roles: ['owner', 'admin'], limit: 'sensitive' },
    schema: { tags: ['audit'], summary: 'Recompute the chains and hold them against the last signed checkpoint', body: VerifyAuditBody, response: { 200: VerifyAuditReply } }
  }, async (request) => {
    const body = (request.body ?? {}) as Static<typeof VerifyAuditBody>
    const results = await service.verify(body)
    await withTransaction(app.db, async (client) => {
      await app.audit.record(client, {
        action: 'audit.verify',
        outcome: results.every((r) => r.ok) ? 'success' : 'failed',
        details: { results: results.map((r) => ({ service: r.service, ok: r.ok, headSeq: r.headSeq, ...(r.reason ? { reason: r.reason, firstBadSeq: r.firstBadSeq } : {}) })) }
      }, request)
    })
    return { results }
  })

  // The hourly checkpoint, through the kit's jobs (SPEC §0.6: one replica at a time, a run record, the gauge).
  app.jobs.schedule({
    name: 'audit-checkpoint',
    everyMs: opts.checkpointEveryMs ?? HOUR_MS,
    run: async ({ log }) => {
      const stored = await takeCheckpoints({ pool: app.db, chains, privateKey: key.privateKey, log })
      return { stored: stored?.length ?? 0 }
    }
  })
}
