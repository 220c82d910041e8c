import { eventually } from '@eventline/testing';
import { postBinary } from '../support/cloudevents';
import {
  bookProblems,
  books,
  orderView,
  placeOrder,
  setStock,
  startOrdersWorld,
  terminal,
  type OrdersWorld,
} from './orders-system';

describe('order fulfilment saga on real Kafka, Postgres and Redis, each handler its own process', () => {
  let world: OrdersWorld;

  beforeAll(async () => {
    world = await startOrdersWorld();
    await setStock(world, 'widget', 100);
    await setStock(world, 'gadget', 1);
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('given stock, when an order is placed, then it completes: reserved, charged, shipped, with its history', async () => {
    const orderId = await placeOrder(world, {
      items: [{ sku: 'widget', quantity: 2, unitPrice: 1500 }],
    });
    const view = await terminal(world, orderId);
    expect(view).toMatchObject({ status: 'COMPLETED', total: 3000, reason: null });
    expect(view.history.map((h) => h.event)).toEqual([
      'OrderPlaced',
      'StepSucceeded',
      'StepSucceeded',
      'StepSucceeded',
      'OrderCompleted',
    ]);
    const payment = await world.pool.query(
      'SELECT status FROM orders.payments WHERE order_id = $1',
      [orderId],
    );
    expect(payment.rows).toEqual([{ status: 'charged' }]);
  });

  it('given too little stock, when an order is placed, then it is cancelled with the reason', async () => {
    const orderId = await placeOrder(world, {
      items: [{ sku: 'gadget', quantity: 5, unitPrice: 100 }],
    });
    const view = await terminal(world, orderId);
    expect(view.status).toBe('CANCELLED');
    expect(view.reason).toContain('insufficient stock for gadget');
  });

  it('given a declined card, when charged, then inventory is released and the order cancelled with the reason', async () => {
    const orderId = await placeOrder(world, {
      customerId: 'decline-me',
      items: [{ sku: 'widget', quantity: 3, unitPrice: 100 }],
    });
    const view = await terminal(world, orderId);
    expect(view).toMatchObject({ status: 'CANCELLED', reason: 'card declined by the provider' });
    const held = await world.pool.query(
      `SELECT status FROM orders.reservations WHERE order_id = $1`,
      [orderId],
    );
    expect(held.rows).toEqual([{ status: 'released' }]);
  });

  it('given no carrier for the region, when shipping fails, then payment is refunded, inventory released, order failed', async () => {
    const orderId = await placeOrder(world, {
      region: 'atlantis',
      items: [{ sku: 'widget', quantity: 1, unitPrice: 700 }],
    });
    const view = await terminal(world, orderId);
    expect(view).toMatchObject({ status: 'FAILED', reason: 'no carrier serves region atlantis' });
    const events = view.history.map((h) => h.event);
    expect(events.slice(-3)).toEqual(['StepSucceeded', 'StepSucceeded', 'OrderFailed']);
    const payment = await world.pool.query(
      'SELECT status FROM orders.payments WHERE order_id = $1',
      [orderId],
    );
    expect(payment.rows).toEqual([{ status: 'refunded' }]);
  });

  it('given one Idempotency-Key sent ten times at once, when placed, then there is one order', async () => {
    const ids = await Promise.all(
      Array.from({ length: 10 }, () =>
        placeOrder(world, { items: [{ sku: 'widget', quantity: 1, unitPrice: 10 }] }, 'same-key-1'),
      ),
    );
    expect(new Set(ids).size).toBe(1);
    await terminal(world, ids[0] as string);
    const sagas = await world.pool.query(
      `SELECT count(*)::int AS n FROM eventline.idempotency_keys WHERE consumer = 'orders-api' AND key = 'same-key-1'`,
    );
    expect(sagas.rows[0]).toEqual({ n: 1 });
  });

  it('given an Idempotency-Key already used, when sent with another order, then 422 naming the key and no second order; the same order again gets its id', async () => {
    const first = await placeOrder(
      world,
      { items: [{ sku: 'widget', quantity: 1, unitPrice: 10 }] },
      'reused-key-1',
    );

    const reused = await fetch(`${world.system.edgeUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'reused-key-1' },
      body: JSON.stringify({
        customerId: 'c-1',
        region: 'eu-west',
        items: [{ sku: 'widget', quantity: 3, unitPrice: 10 }],
      }),
    });
    const again = await fetch(`${world.system.edgeUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'reused-key-1' },
      // the same order, its fields in another order
      body: JSON.stringify({
        items: [{ unitPrice: 10, quantity: 1, sku: 'widget' }],
        region: 'eu-west',
        customerId: 'c-1',
      }),
    });

    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { error: string }).error).toContain('reused-key-1');
    expect(again.status).toBe(202);
    expect(((await again.json()) as { orderId: string }).orderId).toBe(first);
    await terminal(world, first);
  });

  it('given a high-value order, when placed, then it fans out to notification, analytics and review; a small one skips review', async () => {
    const reviewed = async (orderId: string) =>
      (await world.pool.query('SELECT order_id FROM orders.reviews WHERE order_id = $1', [orderId]))
        .rows[0] as { order_id: string } | undefined;
    const big = await placeOrder(world, {
      items: [{ sku: 'widget', quantity: 1, unitPrice: 25_000 }],
    });
    const small = await placeOrder(world, {
      items: [{ sku: 'widget', quantity: 1, unitPrice: 5 }],
    });
    await terminal(world, big);
    await terminal(world, small);
    await eventually(async () => {
      const notified = await world.pool.query(
        'SELECT order_id FROM orders.notifications WHERE order_id = ANY($1)',
        [[big, small]],
      );
      return notified.rowCount === 2 ? true : undefined;
    });
    // The review handler's process starts on the big order's event; the small one never reaches it.
    await eventually(() => reviewed(big));
    expect(await reviewed(small)).toBeUndefined();
    const revenue = await world.pool.query(
      `SELECT SUM(revenue)::bigint AS revenue FROM orders.revenue_by_minute WHERE region = 'eu-west'`,
    );
    expect(Number(revenue.rows[0].revenue)).toBeGreaterThanOrEqual(25_005);
  });

  it('given an unknown order, when read, then 404; and bad orders get 400 naming the field', async () => {
    expect(await orderView(world, 'nope')).toBeUndefined();
    const response = await fetch(`${world.system.edgeUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerId: 'c',
        region: 'eu',
        items: [{ sku: 'widget', quantity: -1, unitPrice: 1 }],
      }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain('items[0].quantity');
  });

  it('given live orders, when the order view is rebuilt by replaying the event store, then it equals the live view', async () => {
    const snapshot = async () =>
      (
        await world.pool.query(
          'SELECT order_id, status, reason, total, history FROM orders.order_view ORDER BY order_id',
        )
      ).rows;
    const live = await snapshot();
    const response = await fetch(`${world.system.edgeUrl}/orders/projections/order-view/rebuild`, {
      method: 'POST',
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { replayedEvents: number }).replayedEvents).toBeGreaterThan(
      live.length,
    );
    expect(await snapshot()).toEqual(live);
  });

  it('given a shipment asked for an order holding no stock, when delivered, then the step is refused and nothing ships', async () => {
    const response = await postBinary(
      `${world.system.handlerUrls['create-shipment']}/`,
      'dev.eventline.shipping.create-requested',
      { orderId: 'forged-1', region: 'eu-west' },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      orderId: 'forged-1',
      step: 'create-shipment',
      phase: 'action',
      outcome: 'failed',
      reason: 'order forged-1 holds no stock',
    });
    const shipments = await world.pool.query(
      `SELECT 1 FROM orders.shipments WHERE order_id = 'forged-1'`,
    );
    expect(shipments.rowCount).toBe(0);
  });

  it('given all of the above, when the books are read, then stock and money reconcile', async () => {
    const result = await books(world);
    expect(result.stock).toEqual([
      expect.objectContaining({ sku: 'gadget', total: 1, reserved: 0 }),
      expect.objectContaining({ sku: 'widget', total: 100, reserved: 0 }),
    ]);
    expect(Number(result.money.charged) - Number(result.money.refunded)).toBe(
      Number(result.completed.revenue),
    );
    expect(await bookProblems(world)).toEqual([]);
  });
});
