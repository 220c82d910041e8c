import {
  books,
  placeOrder,
  setStock,
  startOrdersWorld,
  terminal,
  type OrdersWorld,
} from './orders-system';

describe('flash sale guarantees with duplicate deliveries injected at the broker', () => {
  let world: OrdersWorld;

  beforeAll(async () => {
    world = await startOrdersWorld({ duplicateDeliveries: 0.3 });
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('given 20 in stock and 60 concurrent orders, when they race, then exactly 20 complete, none is oversold or charged twice, and the books reconcile', async () => {
    await setStock(world, 'flash', 20);
    const orderIds = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        placeOrder(world, {
          customerId: `c-${i}`,
          items: [{ sku: 'flash', quantity: 1, unitPrice: 999 }],
        }),
      ),
    );
    const views = await Promise.all(orderIds.map((id) => terminal(world, id, 120_000)));
    const completed = views.filter((v) => v.status === 'COMPLETED');
    expect(completed).toHaveLength(20);
    expect(views.filter((v) => v.status === 'CANCELLED')).toHaveLength(40);

    const stock = await world.pool.query(
      'SELECT available, reserved, shipped FROM orders.inventory WHERE sku = $1',
      ['flash'],
    );
    expect(stock.rows[0]).toEqual({ available: 0, reserved: 0, shipped: 20 });
    const reservations = await world.pool.query(
      `SELECT count(*)::int AS n FROM orders.reservations WHERE sku = 'flash'`,
    );
    expect(reservations.rows[0]).toEqual({ n: 20 });
    const charges = await world.pool.query(
      `SELECT count(*)::int AS n FROM orders.payments WHERE status = 'charged'`,
    );
    expect(charges.rows[0]).toEqual({ n: 20 });
    const result = await books(world);
    expect(Number(result.money.charged) - Number(result.money.refunded)).toBe(
      Number(result.completed.revenue),
    );
  }, 180_000);
});

describe('no loss when handler processes are killed with SIGKILL mid-run', () => {
  let world: OrdersWorld;

  beforeAll(async () => {
    world = await startOrdersWorld();
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('given orders in flight, when saga, reservation and payment handlers are killed and restarted, then every accepted order ends terminal and the books reconcile', async () => {
    await setStock(world, 'sturdy', 1_000);
    const placing = Array.from({ length: 40 }, (_, i) =>
      placeOrder(world, {
        customerId: `k-${i}`,
        items: [{ sku: 'sturdy', quantity: 1 + (i % 3), unitPrice: 250 }],
      }),
    );
    const victims = ['order-saga', 'reserve-inventory', 'charge-payment'].map((name) =>
      world.system.processes.get(name),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    for (const victim of victims) await victim?.kill('SIGKILL');
    const orderIds = await Promise.all(placing);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const victim of victims) await victim?.start();

    const views = await Promise.all(orderIds.map((id) => terminal(world, id, 120_000)));
    expect(views.every((v) => ['COMPLETED', 'CANCELLED', 'FAILED'].includes(v.status))).toBe(true);
    const result = await books(world);
    expect(result.stock).toEqual([
      expect.objectContaining({ sku: 'sturdy', total: 1_000, reserved: 0 }),
    ]);
    expect(Number(result.money.charged) - Number(result.money.refunded)).toBe(
      Number(result.completed.revenue),
    );
  }, 180_000);
});
