import { defineService } from '@eventline/kit';
import { PLATFORM_SCHEMA } from '@eventline/store';
import { idempotencyPruning } from './handlers/idempotency-pruning/handler';
import { outboxSweep } from './handlers/outbox-sweep/handler';

/** The platform's periodic jobs over every handler's outbox and idempotency records. */
export const housekeepingService = defineService({
  package: 'housekeeping',
  // No tables of its own: it works on the platform schema's, which every service migrates.
  schema: PLATFORM_SCHEMA,
  migrations: [],
  everyHandlersRecords: true,
  handlers: [outboxSweep, idempotencyPruning],
});
