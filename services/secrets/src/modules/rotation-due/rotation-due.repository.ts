// The rows the rotation-due job announces, and the marks that make each due date announced once.
import type { PoolClient } from '@robbie/db'

export interface DueRow {
  id: string
  service: string
  name: string
  scope: string
  visibility: 'owner' | 'company'
  ownerUserId: string | null
  createdBy: string | null
  rotationDueAt: Date | null
  expiresAt: Date | null
  rotationPending: boolean
  expiryPending: boolean
}

interface DueDbRow {
  id: string
  service: string
  name: string
  scope: string
  visibility: 'owner' | 'company'
  owner_user_id: string | null
  created_by: string | null
  rotation_due_at: Date | null
  expires_at: Date | null
  rotation_pending: boolean
  expiry_pending: boolean
}

export function createRotationDueRepository () {
  return {
    /**
     * Live, unmanaged secrets with a rotation or expiry date up to `horizon` (overdue ones too) not yet announced
     * for that date. FOR UPDATE SKIP LOCKED: a replica running at the same time takes other rows, never these.
     */
    async lockDue (client: PoolClient, horizon: Date, limit: number): Promise<DueRow[]> {
      const { rows } = await client.query<DueDbRow>(
        `SELECT id, service, name, scope, visibility, metadata->>'ownerUserId' AS owner_user_id, created_by,
                rotation_due_at, expires_at,
                (rotation_due_at <= $1 AND rotation_notified_for IS DISTINCT FROM rotation_due_at) IS TRUE AS rotation_pending,
                (expires_at <= $1 AND expiry_notified_for IS DISTINCT FROM expires_at) IS TRUE AS expiry_pending
           FROM secrets
          WHERE deleted_at IS NULL AND NOT managed
            AND ((rotation_due_at <= $1 AND rotation_notified_for IS DISTINCT FROM rotation_due_at)
              OR (expires_at <= $1 AND expiry_notified_for IS DISTINCT FROM expires_at))
          ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`, [horizon, limit])
      return rows.map((r) => ({
        id: r.id,
        service: r.service,
        name: r.name,
        scope: r.scope,
        visibility: r.visibility,
        ownerUserId: r.owner_user_id,
        createdBy: r.created_by,
        rotationDueAt: r.rotation_due_at,
        expiresAt: r.expires_at,
        rotationPending: r.rotation_pending,
        expiryPending: r.expiry_pending
      }))
    },
    /**
     * Records the dates just announced. Copied in SQL, not from the JS Date read (milliseconds): Postgres keeps
     * microseconds, and a truncated copy would never equal the due date again. The row is locked since lockDue.
     */
    async markAnnounced (client: PoolClient, id: string, rotation: boolean, expiry: boolean): Promise<void> {
      await client.query(
        `UPDATE secrets SET rotation_notified_for = CASE WHEN $2 THEN rotation_due_at ELSE rotation_notified_for END,
                            expiry_notified_for = CASE WHEN $3 THEN expires_at ELSE expiry_notified_for END
          WHERE id = $1`, [id, rotation, expiry])
    }
  }
}
export type RotationDueRepository = ReturnType<typeof createRotationDueRepository>
