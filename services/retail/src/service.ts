import { defineService } from '@eventline/kit';
import { cartAbandonment } from './handlers/cart-abandonment/handler';
import { centralApi } from './handlers/central-api/handler';
import { centralInventory } from './handlers/central-inventory/handler';
import { cartsApi } from './handlers/carts-api/handler';
import { customerOrders } from './handlers/customer-orders/handler';
import { customerPurchases } from './handlers/customer-purchases/handler';
import { customersApi } from './handlers/customers-api/handler';
import { productsApi } from './handlers/products-api/handler';
import { sendCartSummary } from './handlers/send-cart-summary/handler';
import { retailMigrations } from './migrations';

export const retailService = defineService({
  package: 'retail',
  schema: 'retail',
  migrations: retailMigrations,
  handlers: [
    cartsApi,
    sendCartSummary,
    cartAbandonment,
    customersApi,
    customerOrders,
    customerPurchases,
    productsApi,
    centralInventory,
    centralApi,
  ],
});
