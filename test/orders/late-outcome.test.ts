import { eventually } from '@eventline/testing';
import {
  bookProblems,
  placeOrder,
  routingWithHandFiredJobs,
  setStock,
  startOrdersWorld,
  terminal,
  type OrdersWorld,
} from './orders-system';

describe('a step timeout racing a late success, on real Kafka, Postgres and Redis', () => {
  let world: OrdersWorld;

  beforeAll(async () => {
    world = await startOrdersWorld({
      routing: routingWithHandFiredJobs(),
      // The charge answers after 4 s; its step times out after 1 s.
      env: { ORDERS_STEP_TIMEOUT_MS: '1000', PAYMENT_LATENCY_MS: '4000' },
    });
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('given a charge slower than its step timeout, when the timer fires before the charge answers, then the order fails once, its stock is released, and the late charge is refunded', async () => {
    await setStock(world, 'slow', 3);
    const orderId = await placeOrder(world, {
      items: [{ sku: 'slow', quantity: 1, unitPrice: 800 }],
    });
    await eventually(async () => {
      const { rows } = await world.pool.query<{ step: string; overdue: boolean }>(
        `SELECT step, due_at < now() AS overdue FROM orders.saga_timers WHERE order_id = $1`,
        [orderId],
      );
      return rows[0]?.step === 'charge-payment' && rows[0].overdue ? true : undefined;
    });

    await world.system.pingSources.fire('order-saga-timers');

    const view = await terminal(world, orderId, 60_000);
    expect(view.status).toBe('FAILED');
    expect(view.reason).toMatch(/charge-payment timed-out/);
    // The charge succeeds later; the saga, done with the order, has it refunded.
    const payment = await eventually(async () => {
      const { rows } = await world.pool.query<{ status: string }>(
        'SELECT status FROM orders.payments WHERE order_id = $1',
        [orderId],
      );
      return rows[0]?.status === 'refunded' ? rows[0] : undefined;
    }, 60_000);
    expect(payment.status).toBe('refunded');
    const { rows: stock } = await world.pool.query(
      'SELECT available, reserved, shipped FROM orders.inventory WHERE sku = $1',
      ['slow'],
    );
    expect(stock).toEqual([{ available: 3, reserved: 0, shipped: 0 }]);
    const final = await terminal(world, orderId);
    expect(final.status).toBe('FAILED');
    expect(final.history.map((h) => h.event)).not.toContain('OrderCompleted');
    expect(final.history.filter((h) => h.event === 'OrderFailed')).toHaveLength(1);
    expect(await bookProblems(world)).toEqual([]);
  }, 120_000);
});
