// The audit viewer of auth (SPEC §2.4). createApp registers it: `await app.register(auditModule, { config })`.
export { auditModule, type AuditModuleOptions } from './audit.routes.js'
export { auditConfigProperties, type AuditConfig } from './audit.config.js'
export { takeCheckpoints, loadCheckpointKey, signCheckpoint, checkpointSignatureOk, type Checkpoint } from './checkpoints.js'
export { fleetChains, localChain, type ChainReader } from './chains.js'
export { createAuditService, type VerifyResult } from './audit.service.js'
