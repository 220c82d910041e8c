import { defineService } from '@eventline/kit';
import { cartAbandonment } from './handlers/cart-abandonment/handler';
import { cartsApi } from './handlers/carts-api/handler';
import { sendCartSummary } from './handlers/send-cart-summary/handler';
import { retailMigrations } from './migrations';

export const retailService = defineService({
  package: 'retail',
  schema: 'retail',
  migrations: retailMigrations,
  handlers: [cartsApi, sendCartSummary, cartAbandonment],
});
