import { defineService } from '@eventline/kit';
import { decideTransaction } from './handlers/decide-transaction/handler';
import { enrichTransaction } from './handlers/enrich-transaction/handler';
import { reviewTimeouts } from './handlers/review-timeouts/handler';
import { scoreTransaction } from './handlers/score-transaction/handler';
import { transactionsApi } from './handlers/transactions-api/handler';
import { fraudMigrations } from './migrations';

export const fraudService = defineService({
  package: 'fraud',
  schema: 'fraud',
  migrations: fraudMigrations,
  handlers: [
    transactionsApi,
    enrichTransaction,
    scoreTransaction,
    decideTransaction,
    reviewTimeouts,
  ],
});
