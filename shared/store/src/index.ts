export {
  createPool,
  sharedSession,
  inTransaction,
  inSelfCommittingTransaction,
  onCommit,
  isRetryableDatabaseError,
  isConnectionError,
  type Pool,
  type Transaction,
} from './pool';
export { migrate, type Migration } from './migrations';
export { PLATFORM_SCHEMA, platformMigrations } from './platform-schema';
export {
  grantRuntimeRole,
  packageRoles,
  platformOwnerRole,
  provisionRoles,
  type PackageDatabase,
  type PackageRoles,
} from './roles';
export {
  claimEvent,
  claimIdempotencyKey,
  pruneProcessedEvents,
  pruneIdempotencyKeys,
  type Claim,
  type KeyClaim,
} from './idempotency';
export {
  commitWithOutbox,
  DEFAULT_OUTBOX_LEASE_MS,
  outboxSendTimeoutMs,
  OutboxRelay,
  sweepOutbox,
  type OutboxClaim,
  type OutboxEntry,
  type OutboxRelayOptions,
  type OutboxSweep,
  type StoredAnswers,
} from './outbox';
