export {
  createPool,
  sharedSession,
  inTransaction,
  inSelfManagedTransaction,
  isRetryableDatabaseError,
  isConnectionError,
  type Pool,
  type Transaction,
} from './pool';
export { migrate, type Migration } from './migrations';
export { PLATFORM_SCHEMA, platformMigrations } from './platform-schema';
export { beginAndClaim, pruneProcessedEvents, type Claim } from './idempotency';
export { commitWithOutbox, OutboxRelay, type OutboxEntry, type OutboxRelayOptions } from './outbox';
