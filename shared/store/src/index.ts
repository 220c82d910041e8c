export {
  createPool,
  sharedSession,
  inTransaction,
  isRetryableDatabaseError,
  isConnectionError,
  type Pool,
  type Transaction,
} from './pool';
export { migrate, type Migration } from './migrations';
export { PLATFORM_SCHEMA, platformMigrations } from './platform-schema';
export { claimEvent, recordReply, pruneProcessedEvents, type Claim } from './idempotency';
export { enqueueEvents, OutboxRelay, type OutboxEntry, type OutboxRelayOptions } from './outbox';
