import { EVENTSTORE_SCHEMA, eventStoreMigrations } from '@eventline/eventstore';
import { defineService } from '@eventline/kit';
import { chargePayment } from './handlers/charge-payment';
import { createShipment } from './handlers/create-shipment';
import { notifyCustomer, revenueAnalytics, reviewHighValue } from './handlers/fan-out';
import { orderSaga } from './handlers/order-saga';
import { orderSagaTimers } from './handlers/order-saga-timers/handler';
import { orderStreamRetention } from './handlers/order-stream-retention/handler';
import { orderViewCatchUp } from './handlers/order-view-catch-up/handler';
import { ordersApi } from './handlers/orders-api';
import { refundPayment } from './handlers/refund-payment';
import { releaseInventory } from './handlers/release-inventory';
import { reserveInventory } from './handlers/reserve-inventory';
import { ordersMigrations } from './migrations';

export const ordersService = defineService({
  package: 'orders',
  schema: 'orders',
  migrations: ordersMigrations,
  uses: [{ schema: EVENTSTORE_SCHEMA, migrations: eventStoreMigrations }],
  handlers: [
    ordersApi,
    orderSaga,
    reserveInventory,
    releaseInventory,
    chargePayment,
    refundPayment,
    createShipment,
    notifyCustomer,
    revenueAnalytics,
    reviewHighValue,
    orderSagaTimers,
    orderViewCatchUp,
    orderStreamRetention,
  ],
});
