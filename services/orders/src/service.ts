import { EVENTSTORE_SCHEMA, eventStoreMigrations } from '@eventline/eventstore';
import { defineService } from '@eventline/kit';
import { centralFeed } from './handlers/central-feed/handler';
import { chargePayment } from './handlers/charge-payment/handler';
import { createShipment } from './handlers/create-shipment/handler';
import { inventoryApi } from './handlers/inventory-api/handler';
import { notifyCustomer } from './handlers/notify-customer/handler';
import { orderSaga } from './handlers/order-saga/handler';
import { ordersApi } from './handlers/orders-api/handler';
import { placeCartOrder } from './handlers/place-cart-order/handler';
import { posApi } from './handlers/pos-api/handler';
import { refundPayment } from './handlers/refund-payment/handler';
import { releaseInventory } from './handlers/release-inventory/handler';
import { reserveInventory } from './handlers/reserve-inventory/handler';
import { revenueAnalytics } from './handlers/revenue-analytics/handler';
import { reviewHighValue } from './handlers/review-high-value/handler';
import { orderSagaTimers } from './handlers/order-saga-timers/handler';
import { orderStreamRetention } from './handlers/order-stream-retention/handler';
import { orderViewCatchUp } from './handlers/order-view-catch-up/handler';
import { ordersMigrations } from './migrations';
import { PAYMENT_PROVIDER_SCHEMA, paymentProviderMigrations } from './payments/provider-ledger';

export const ordersService = defineService({
  package: 'orders',
  schema: 'orders',
  migrations: ordersMigrations,
  uses: [
    { schema: EVENTSTORE_SCHEMA, migrations: eventStoreMigrations },
    { schema: PAYMENT_PROVIDER_SCHEMA, migrations: paymentProviderMigrations },
  ],
  handlers: [
    ordersApi,
    inventoryApi,
    orderSaga,
    reserveInventory,
    releaseInventory,
    chargePayment,
    refundPayment,
    createShipment,
    notifyCustomer,
    revenueAnalytics,
    reviewHighValue,
    placeCartOrder,
    posApi,
    orderSagaTimers,
    orderViewCatchUp,
    orderStreamRetention,
    centralFeed,
  ],
});
