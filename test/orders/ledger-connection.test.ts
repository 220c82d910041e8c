import { createPool } from '@eventline/store';
import {
  placeOrder,
  setStock,
  startOrdersWorld,
  terminal,
  type OrdersWorld,
} from './orders-system';

describe("the payment provider's ledger connections, ended by the server", () => {
  let world: OrdersWorld;

  beforeAll(async () => {
    world = await startOrdersWorld();
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('given charge-payment with idle ledger connections, when Postgres ends them (as a restart does), then the process keeps running and the next order is charged', async () => {
    await setStock(world, 'ledger', 10);
    const first = await placeOrder(world, {
      items: [{ sku: 'ledger', quantity: 1, unitPrice: 700 }],
    });
    expect((await terminal(world, first, 120_000)).status).toBe('COMPLETED');
    const chargePayment = world.system.processes.get('charge-payment');
    const pid = chargePayment?.pid;
    expect(pid).toBeDefined();

    // As the handlers' own role: ending a backend takes its role's privileges.
    const asOrders = createPool(world.system.databaseUrlOf('orders'), { max: 1 });
    const ended = await asOrders
      .query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'payment-provider' AND datname = current_database()`,
      )
      .finally(() => asOrders.end());
    expect(ended.rowCount).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 1000));

    expect(chargePayment?.pid).toBe(pid);
    const second = await placeOrder(world, {
      items: [{ sku: 'ledger', quantity: 1, unitPrice: 700 }],
    });
    expect((await terminal(world, second, 120_000)).status).toBe('COMPLETED');
    expect(chargePayment?.pid).toBe(pid);
  }, 240_000);
});
