import { randomUUID } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { HandlerProcess, serviceEntryPoint } from '@eventline/runtime';
import { eventually } from '@eventline/testing';
import {
  orderView,
  placeOrder,
  routingWithHandFiredJobs,
  setStock,
  startOrdersWorld,
  terminal,
  type OrdersWorld,
} from '../orders/orders-system';
import { postBinary } from '../support/cloudevents';

const IDLE_WINDOW_MS = 3_000;

function running(world: OrdersWorld): string[] {
  return [...world.system.processes.values()].filter((p) => p.running).map((p) => p.name);
}

async function stockOf(world: OrdersWorld, sku: string) {
  const { rows } = await world.pool.query<{ available: number; reserved: number; shipped: number }>(
    'SELECT available, reserved, shipped FROM orders.inventory WHERE sku = $1',
    [sku],
  );
  return rows[0];
}

/** A sink that takes connections and requests and never answers, counting the requests. */
async function startBlackHole() {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk) => {
      if (chunk.toString('latin1').startsWith('POST ')) requests += 1;
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('scale to zero on real Kafka, Postgres and Redis: each handler a process started by its first request', () => {
  let world: OrdersWorld;

  beforeAll(async () => {
    world = await startOrdersWorld({
      routing: routingWithHandFiredJobs(),
      env: {
        EVENTLINE_IDLE_WINDOW_MS: String(IDLE_WINDOW_MS),
        ORDERS_STEP_TIMEOUT_MS: '1000',
        EVENTLINE_OUTBOX_SWEEP_AFTER_MS: '0',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('given every handler scaled to zero, when a batch of orders is placed, then each completes on processes started for it, all of them stop after the idle window, and the next order starts them again', async () => {
    expect(running(world)).toEqual([]);
    const activator = world.system.activator!;

    await setStock(world, 'zero', 50);
    const orderIds = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        placeOrder(world, {
          customerId: `c-${i}`,
          items: [{ sku: 'zero', quantity: 1, unitPrice: 500 }],
        }),
      ),
    );
    const views = await Promise.all(orderIds.map((id) => terminal(world, id, 90_000)));
    expect(views.map((v) => v.status)).toEqual(Array(8).fill('COMPLETED'));
    const saga = [
      'orders-api',
      'order-saga',
      'reserve-inventory',
      'charge-payment',
      'create-shipment',
    ];
    for (const name of saga) expect(activator.startsOf(name)).toBeGreaterThanOrEqual(1);
    // Nothing started what no event reached: no tick was fired, no order was high value.
    expect(activator.startsOf('order-saga-timers')).toBe(0);
    expect(activator.startsOf('review-high-value')).toBe(0);

    await eventually(async () => (running(world).length === 0 ? true : undefined), 60_000, 200);

    const startsBefore = saga.map((name) => activator.startsOf(name));
    const next = await placeOrder(world, { items: [{ sku: 'zero', quantity: 2, unitPrice: 500 }] });
    expect((await terminal(world, next, 90_000)).status).toBe('COMPLETED');
    expect(saga.map((name) => activator.startsOf(name))).toEqual(startsBefore.map((n) => n + 1));
    expect(await stockOf(world, 'zero')).toEqual({ available: 40, reserved: 0, shipped: 10 });
  }, 240_000);

  it('given a payment handler that never answers, when an order waits on it past the step timeout, then the saga timer job alone times the step out and compensates', async () => {
    const charge = world.system.processes.get('charge-payment')!;
    await charge.start();
    // A hung process: its socket takes the request, nothing answers it.
    process.kill(charge.pid!, 'SIGSTOP');
    try {
      await setStock(world, 'stuck', 5);
      const orderId = await placeOrder(world, {
        items: [{ sku: 'stuck', quantity: 2, unitPrice: 700 }],
      });
      await eventually(async () =>
        (await stockOf(world, 'stuck'))?.reserved === 2 ? true : undefined,
      );
      // The charge step's timer, not the reservation's: a saga slow to take the reservation's
      // outcome leaves the reservation's timer overdue meanwhile.
      await eventually(async () => {
        const { rows } = await world.pool.query<{ overdue: boolean }>(
          `SELECT due_at < now() - interval '1 second' AS overdue FROM orders.saga_timers
            WHERE order_id = $1 AND step = 'charge-payment'`,
          [orderId],
        );
        return rows[0]?.overdue ? true : undefined;
      });
      // Past its deadline, and nothing but the job fires the timer: the order still waits.
      expect((await orderView(world, orderId))?.status).toBe('PENDING');
      expect(running(world)).not.toContain('order-saga-timers');

      await world.system.pingSources.fire('order-saga-timers');

      const view = await terminal(world, orderId, 60_000);
      expect(view.status).toBe('FAILED');
      expect(view.reason).toMatch(/charge-payment timed-out/);
      expect(await stockOf(world, 'stuck')).toEqual({ available: 5, reserved: 0, shipped: 0 });
      expect(world.system.activator!.startsOf('order-saga-timers')).toBe(1);
    } finally {
      await charge.kill('SIGKILL');
    }
  }, 120_000);

  it('given an order API killed by SIGKILL between its commit and its send, when the outbox sweep job runs, then the events it left are delivered and the order completes', async () => {
    const blackHole = await startBlackHole();
    const victim = new HandlerProcess(
      'orders-api',
      serviceEntryPoint('orders'),
      {
        ...process.env,
        DATABASE_URL: world.database.url,
        K_SINK: blackHole.url,
        LOG_LEVEL: 'error',
        // its rows are its own to send for this long; then the sweep job may take them
        EVENTLINE_OUTBOX_LEASE_MS: '3000',
      },
      () => undefined,
    );
    try {
      await victim.start();
      await setStock(world, 'crash', 3);
      const response = await fetch(`${victim.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          customerId: 'c-crash',
          region: 'eu-west',
          items: [{ sku: 'crash', quantity: 1, unitPrice: 900 }],
        }),
      });
      expect(response.status).toBe(202);
      const { orderId } = (await response.json()) as { orderId: string };
      // Committed (it answered) and sending (the sink has the request): now the crash.
      await eventually(async () => (blackHole.requests() > 0 ? true : undefined));
      await victim.kill('SIGKILL');
      expect(victim.running).toBe(false);

      const left = async () =>
        (
          await world.pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM eventline.outbox WHERE producer = 'orders-api'`,
          )
        ).rows[0]!.n;
      expect(await left()).toBeGreaterThanOrEqual(2);
      expect(await stockOf(world, 'crash')).toEqual({ available: 3, reserved: 0, shipped: 0 });

      // Until its lease is over a row is the crashed process's: no sweep takes it.
      await eventually(async () => {
        const { rows } = await world.pool.query<{ held: number }>(
          `SELECT count(*)::int AS held FROM eventline.outbox
            WHERE producer = 'orders-api' AND lease_until > now()`,
        );
        return rows[0]!.held === 0 || undefined;
      });
      await world.system.pingSources.fire('outbox-sweep');

      expect((await terminal(world, orderId, 60_000)).status).toBe('COMPLETED');
      expect(await left()).toBe(0);
      expect(await stockOf(world, 'crash')).toEqual({ available: 2, reserved: 0, shipped: 1 });
    } finally {
      await victim.kill('SIGKILL');
      await blackHole.close();
    }
  }, 120_000);

  it('given idempotency records older and younger than the window, when the pruning job runs, then only the old ones go and a redelivery inside the window gets the first reply', async () => {
    await setStock(world, 'dedupe', 10);
    const reserve = (id: string, orderId: string) =>
      postBinary(
        `${world.system.handlerUrls['reserve-inventory']}/`,
        'dev.eventline.inventory.reserve-requested',
        { orderId, items: [{ sku: 'dedupe', quantity: 1, unitPrice: 100 }] },
        { 'ce-id': id, 'ce-source': '/tests/pruning' },
      );
    const records = async () =>
      (
        await world.pool.query<{ id: string }>(
          `SELECT id FROM eventline.processed_events WHERE source = '/tests/pruning' ORDER BY id`,
        )
      ).rows.map((r) => r.id);
    const recentOrder = randomUUID();
    expect((await reserve('old', randomUUID())).status).toBe(200);
    const first = await reserve('recent', recentOrder);
    expect(first.status).toBe(200);
    const firstReply = { id: first.headers.get('ce-id'), data: await first.json() };
    // Older than the window (192 hours by default), as if it had been handled 200 hours ago.
    await world.pool.query(
      `UPDATE eventline.processed_events SET processed_at = now() - interval '200 hours'
        WHERE source = '/tests/pruning' AND id = 'old'`,
    );
    expect(await records()).toEqual(['old', 'recent']);

    await world.system.pingSources.fire('idempotency-pruning');

    await eventually(async () => ((await records()).length === 1 ? true : undefined));
    expect(await records()).toEqual(['recent']);
    const again = await reserve('recent', recentOrder);
    expect(again.status).toBe(200);
    expect({ id: again.headers.get('ce-id'), data: await again.json() }).toEqual(firstReply);
    expect(await stockOf(world, 'dedupe')).toEqual({ available: 8, reserved: 2, shipped: 0 });
  }, 120_000);

  it('given Idempotency-Key claims older and younger than the window, when the pruning job runs, then an old key is free again and a recent one still answers with its order', async () => {
    await setStock(world, 'keyed', 10);
    const order = (quantity: number) => ({
      items: [{ sku: 'keyed', quantity, unitPrice: 100 }],
    });
    const oldOrder = await placeOrder(world, order(1), 'key-old');
    const recentOrder = await placeOrder(world, order(1), 'key-recent');
    await world.pool.query(
      `UPDATE eventline.idempotency_keys SET claimed_at = now() - interval '200 hours'
        WHERE key = 'key-old'`,
    );

    await world.system.pingSources.fire('idempotency-pruning');

    await eventually(async () => {
      const { rows } = await world.pool.query(
        `SELECT 1 FROM eventline.idempotency_keys WHERE key = 'key-old'`,
      );
      return rows.length === 0 ? true : undefined;
    });
    expect(await placeOrder(world, order(1), 'key-recent')).toBe(recentOrder);
    const reused = await placeOrder(world, order(2), 'key-old');
    expect(reused).not.toBe(oldOrder);
  }, 120_000);
});
