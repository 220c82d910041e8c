import { startTelemetry, stopTelemetry } from '@eventline/telemetry';
import { eventually } from '@eventline/testing';
import { postBinary } from '../support/cloudevents';
import { scrape } from '../support/prometheus';
import {
  placeOrder,
  routingWithHandFiredJobs,
  setStock,
  startOrdersWorld,
  terminal,
  type OrdersWorld,
} from '../orders/orders-system';
import { testSenderEnv, asTestSender } from '../support/senders';

const COMPLETED = 4;
const DECLINED = 2;
const ORDERS = COMPLETED + DECLINED;

describe('metrics at /metrics under a small load, on real Kafka, Postgres and Redis, each handler its own process', () => {
  let world: OrdersWorld;
  const handler = (name: string) => world.system.handlerUrls[name] as string;

  beforeAll(async () => {
    // The broker, gateway and activator run in this process: their metrics are its metrics.
    startTelemetry('metrics-test', {});
    world = await startOrdersWorld({
      routing: routingWithHandFiredJobs(),
      env: testSenderEnv(['dev.eventline.flags.changed']),
    });
    await setStock(world, 'widget', 100);
    const placed = await Promise.all([
      ...Array.from({ length: COMPLETED }, () =>
        placeOrder(world, { items: [{ sku: 'widget', quantity: 1, unitPrice: 500 }] }),
      ),
      ...Array.from({ length: DECLINED }, (_, n) =>
        placeOrder(world, {
          customerId: `decline-${n}`,
          items: [{ sku: 'widget', quantity: 1, unitPrice: 500 }],
        }),
      ),
    ]);
    await Promise.all(placed.map((orderId) => terminal(world, orderId, 60_000)));
  }, 240_000);

  afterAll(async () => {
    await world?.stop();
    await stopTelemetry();
  });

  it('given orders placed, when they end, then the broker counts one delivery per event and trigger, timed, and no retry', async () => {
    const broker = await eventually(async () => {
      const now = await scrape(world.system.edgeUrl);
      const settled = now.value('eventline_broker_deliveries_total', { trigger: 'order-saga' });
      // Each order's saga hears of each step: three outcomes completed, two declined, one more
      // for the release after a decline.
      return settled === COMPLETED * 3 + DECLINED * 3 ? now : undefined;
    });
    const delivered = (trigger: string) =>
      broker.value('eventline_broker_deliveries_total', { trigger, outcome: 'delivered' });
    expect(delivered('reserve-inventory')).toBe(ORDERS);
    expect(delivered('charge-payment')).toBe(ORDERS);
    expect(delivered('create-shipment')).toBe(COMPLETED);
    expect(delivered('release-inventory')).toBe(DECLINED);
    expect(delivered('notify-customer')).toBe(ORDERS);
    expect(
      broker.value('eventline_broker_delivery_duration_count', { trigger: 'reserve-inventory' }),
    ).toBe(ORDERS);
    expect(broker.value('eventline_broker_delivery_retries_total')).toBe(0);
    expect(broker.value('eventline_broker_events_total', { via: 'ingress' })).toBeGreaterThan(
      ORDERS,
    );
  });

  it('given the load done, then every trigger reports its consumer lag, and it falls to zero', async () => {
    const triggers = Object.keys(world.system.handlerUrls).filter((name) =>
      world.system.broker.triggerStats(name),
    );
    const lags = await eventually(async () => {
      const now = await scrape(world.system.edgeUrl);
      return now.value('eventline_broker_consumer_lag') === 0 ? now : undefined;
    });
    expect(
      lags
        .series('eventline_broker_consumer_lag')
        .map((s) => s.trigger)
        .sort(),
    ).toEqual(triggers.sort());
  });

  it('given handlers started for the load, then cold starts are counted as the activator made them, and they run', async () => {
    const now = await scrape(world.system.edgeUrl);
    const activator = world.system.activator;
    for (const name of ['orders-api', 'order-saga', 'reserve-inventory', 'charge-payment']) {
      expect(now.value('eventline_activator_cold_starts_total', { handler: name })).toBe(
        activator?.startsOf(name),
      );
      expect(now.value('eventline_activator_cold_start_duration_count', { handler: name })).toBe(
        activator?.startsOf(name),
      );
      expect(now.value('eventline_activator_processes', { handler: name })).toBe(1);
    }
    expect(now.value('eventline_activator_cold_starts_total', { handler: 'orders-api' })).toBe(1);
    expect(now.value('eventline_activator_processes', { handler: 'review-timeouts' })).toBe(0);
  });

  it('given the orders, then each handler process times its requests by type and outcome, and the saga counts executions by status', async () => {
    const api = await scrape(handler('orders-api'));
    expect(
      api.value('eventline_handler_duration_count', {
        handler: 'orders-api',
        type: 'POST /orders',
        outcome: 'ok',
      }),
    ).toBe(ORDERS);
    expect(api.value('eventline_saga_executions_total', { status: 'started' })).toBe(ORDERS);

    const reserve = await scrape(handler('reserve-inventory'));
    expect(
      reserve.value('eventline_handler_duration_count', {
        handler: 'reserve-inventory',
        type: 'dev.eventline.inventory.reserve-requested',
        outcome: 'ok',
      }),
    ).toBe(ORDERS);

    const saga = await scrape(handler('order-saga'));
    expect(saga.value('eventline_saga_executions_total', { status: 'COMPLETED' })).toBe(COMPLETED);
    expect(saga.value('eventline_saga_executions_total', { status: 'CANCELLED' })).toBe(DECLINED);
    expect(saga.value('eventline_saga_duration_count', { status: 'COMPLETED' })).toBe(COMPLETED);
    expect(saga.value('eventline_saga_duration_sum', { status: 'COMPLETED' })).toBeGreaterThan(0);

    const outbox = await eventually(async () => {
      const now = await scrape(handler('orders-api'));
      return now.value('eventline_outbox_depth', { producer: 'orders-api' }) === 0
        ? now
        : undefined;
    });
    expect(outbox.value('eventline_outbox_age', { producer: 'orders-api' })).toBe(0);
  });

  it('given an event its handler refuses, when dead-lettered and replayed, then the filed and replayed counts move by one each time', async () => {
    const filed = async () =>
      (await scrape(world.system.edgeUrl)).value('eventline_dead_letters_filed_total', {
        trigger: 'flags-projection',
      });
    const before = await filed();
    const response = await postBinary(
      world.system.brokerUrl,
      'dev.eventline.flags.changed',
      { key: 'metrics', enabled: 'not a boolean' },
      asTestSender,
    );
    expect(response.status).toBe(202);
    await eventually(async () => ((await filed()) === before + 1 ? true : undefined));

    const { letters } = (await (await fetch(`${world.system.edgeUrl}/dead-letters`)).json()) as {
      letters: Array<{ letterId: number; type: string; replayedAt: string | null }>;
    };
    const letter = letters.find(
      (l) => l.type === 'dev.eventline.flags.changed' && l.replayedAt === null,
    );
    const replay = await fetch(`${world.system.edgeUrl}/dead-letters/${letter?.letterId}/replay`, {
      method: 'POST',
    });
    expect(replay.status).toBe(202);
    const sink = await scrape(handler('dead-letters'));
    expect(
      sink.value('eventline_dead_letters_replayed_total', { type: 'dev.eventline.flags.changed' }),
    ).toBe(1);
    // Replayed, it is refused again, and filed again.
    await eventually(async () => ((await filed()) === before + 2 ? true : undefined));
    const broker = await scrape(world.system.edgeUrl);
    expect(
      broker.value('eventline_broker_deliveries_total', {
        trigger: 'flags-projection',
        outcome: 'dead-lettered',
      }),
    ).toBe(before + 2);
  });

  it('given a cached flag and an absent one, when read, then every read of the first is a hit and every read of the second a miss', async () => {
    const flag = `${world.system.edgeUrl}/flags/metrics-cached`;
    const put = await fetch(flag, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true }),
    });
    expect(put.status).toBeLessThan(300);
    // The projection caches the flag after its commit; reads that find it are hits from then on.
    await eventually(async () => {
      const read = await fetch(flag);
      if (read.status !== 200) return undefined;
      const before = await scrape(handler('flags-api'));
      await fetch(flag);
      const after = await scrape(handler('flags-api'));
      const hits = (s: typeof before) => s.value('eventline_cache_hits_total');
      return hits(after) === hits(before) + 1 ? true : undefined;
    });
    const before = await scrape(handler('flags-api'));
    for (let i = 0; i < 3; i += 1) expect((await fetch(flag)).status).toBe(200);
    for (let i = 0; i < 2; i += 1)
      expect((await fetch(`${world.system.edgeUrl}/flags/metrics-absent`)).status).toBe(404);
    const after = await scrape(handler('flags-api'));
    const attributes = { handler: 'flags-api' };
    expect(after.value('eventline_cache_hits_total', attributes)).toBe(
      before.value('eventline_cache_hits_total', attributes) + 3,
    );
    expect(after.value('eventline_cache_misses_total', attributes)).toBe(
      before.value('eventline_cache_misses_total', attributes) + 2,
    );
  });
});
