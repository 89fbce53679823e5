// The environment the audit viewer reads (SPEC §2.4, §11.6). auth's config.ts spreads these into its schema.
import { Type, type Static, type TObject } from 'typebox'

const url = () => Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048 }))

export const auditConfigProperties = {
  /** Ed25519 key (JWK pair, .run/keys/audit-checkpoint.json) that signs the hourly chain checkpoints */
  ROBBIE_AUDIT_CHECKPOINT_KEY_FILE: Type.String({ minLength: 1, maxLength: 4096 }),
  // Each service's internal address (generated from the fleet list by npm start and compose). A service
  // whose address is not set is not part of this fleet: the viewer, verifier and checkpoints skip it.
  /** chat's internal address */
  ROBBIE_CHAT_URL: url(),
  /** priorities' internal address */
  ROBBIE_PRIORITIES_URL: url(),
  /** secrets' internal address */
  ROBBIE_SECRETS_URL: url(),
  /** integration-sync's internal address */
  ROBBIE_INTEGRATION_SYNC_URL: url(),
  /** gpu-coordinator's internal address */
  ROBBIE_GPU_COORDINATOR_URL: url(),
  /** slack-bot's internal address */
  ROBBIE_SLACK_BOT_URL: url(),
  /** github-bot's internal address */
  ROBBIE_GITHUB_BOT_URL: url()
}
export type AuditConfig = Static<TObject<typeof auditConfigProperties>>
