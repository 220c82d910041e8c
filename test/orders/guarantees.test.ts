import { eventually } from '@eventline/testing';
import {
  bookProblems,
  books,
  placeOrder,
  setStock,
  startOrdersWorld,
  statusCounts,
  terminal,
  type OrdersWorld,
} from './orders-system';

const CHARGE_REQUESTED = 'dev.eventline.payments.charge-requested';
const ORDER_PLACED = 'dev.eventline.orders.placed';

describe('flash sale guarantees with duplicates injected at the broker', () => {
  let world: OrdersWorld;

  beforeAll(async () => {
    world = await startOrdersWorld({
      faults: { duplicateDeliveries: 0.3, duplicateAppends: 0.3 },
    });
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('given 20 in stock and 60 concurrent orders, when they race through copied deliveries and appends, then exactly 20 complete, none is oversold or charged twice, and the books reconcile', async () => {
    await setStock(world, 'flash', 20);
    const orderIds = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        placeOrder(world, {
          customerId: `c-${i}`,
          items: [{ sku: 'flash', quantity: 1, unitPrice: 999 }],
        }),
      ),
    );
    await Promise.all(orderIds.map((id) => terminal(world, id, 120_000)));
    expect(await statusCounts(world)).toEqual({ COMPLETED: 20, CANCELLED: 40 });

    // The copies happened: concurrent second deliveries of charge requests, and events the
    // ingress appended twice (orders placed, sent by the edge's outbox).
    const injected = world.system.broker.injectedDuplicates;
    expect(injected.deliveries.get(CHARGE_REQUESTED)).toBeGreaterThan(0);
    expect(injected.appends.get(ORDER_PLACED)).toBeGreaterThan(0);

    const stock = await world.pool.query(
      'SELECT available, reserved, shipped FROM orders.inventory WHERE sku = $1',
      ['flash'],
    );
    expect(stock.rows[0]).toEqual({ available: 0, reserved: 0, shipped: 20 });
    expect(await bookProblems(world)).toEqual([]);
    const charges = await world.pool.query(
      `SELECT count(*)::int AS n FROM payment_provider.charges WHERE status = 'charged'`,
    );
    expect(charges.rows[0]).toEqual({ n: 20 });
  }, 180_000);
});

describe('no loss when handler processes are killed with SIGKILL mid-run', () => {
  let world: OrdersWorld;

  beforeAll(async () => {
    // Payments long enough that a charge is in flight when its handler is killed.
    world = await startOrdersWorld({ env: { PAYMENT_LATENCY_MS: '50' } });
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('given orders in flight, when saga, reservation and payment handlers are killed while they serve and are restarted, then every accepted order completes once and the books reconcile', async () => {
    const activator = world.system.activator;
    if (!activator) throw new Error('the orders world runs each handler as its own process');
    await setStock(world, 'sturdy', 1_000);
    const retried = new Map<string, number>();
    world.system.broker.observe({
      settled: (trigger, _outcome, attempts) => {
        if (attempts > 1) retried.set(trigger, (retried.get(trigger) ?? 0) + 1);
      },
    });
    const placing = Array.from({ length: 40 }, (_, i) =>
      placeOrder(world, {
        customerId: `k-${i}`,
        items: [{ sku: 'sturdy', quantity: 1 + (i % 3), unitPrice: 250 }],
      }),
    );
    const names = ['order-saga', 'reserve-inventory', 'charge-payment'];
    const victims = names.map((name) => {
      const victim = world.system.processes.get(name);
      if (!victim) throw new Error(`no handler process named ${name} to kill`);
      return victim;
    });
    const pidsBefore: number[] = [];
    for (const victim of victims) {
      // Killed while it serves, so the kill interrupts work the broker must deliver again.
      await eventually(async () => activator.inFlightOf(victim.name) > 0 || undefined, 30_000, 2);
      const pid = victim.pid;
      if (pid === undefined) throw new Error(`${victim.name} serves without a process`);
      pidsBefore.push(pid);
      await victim.kill('SIGKILL');
    }
    const orderIds = await Promise.all(placing);

    const views = await Promise.all(orderIds.map((id) => terminal(world, id, 120_000)));
    expect(views.map((v) => v.status)).toEqual(orderIds.map(() => 'COMPLETED'));
    // Each victim came back as a new process, started by the broker's next delivery.
    const pidsAfter = await Promise.all(
      victims.map((victim) => eventually(async () => victim.pid, 30_000)),
    );
    pidsAfter.forEach((pid, i) => expect(pid).not.toBe(pidsBefore[i]));
    expect([...retried.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    const result = await books(world);
    expect(result.stock).toEqual([
      expect.objectContaining({ sku: 'sturdy', total: 1_000, reserved: 0 }),
    ]);
    expect(await bookProblems(world)).toEqual([]);
  }, 180_000);
});
