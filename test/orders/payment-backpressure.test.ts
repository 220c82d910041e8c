import { scrape } from '../support/prometheus';
import {
  placeOrder,
  setStock,
  startOrdersWorld,
  terminal,
  type OrdersWorld,
} from './orders-system';

const CALLS = 'eventline_payments_provider_calls_total';
const BREAKER_FAILURES = 3;
const BREAKER_OPEN_MS = 1500;
/** the outage's length once the world is up */
const OUTAGE_MS = 5000;
const ORDERS = 8;

const order = { items: [{ sku: 'widget', quantity: 1, unitPrice: 10 }] };

describe('the payment adapter under back-pressure, each handler its own process on real servers', () => {
  describe('a provider outage', () => {
    let world: OrdersWorld;
    let outageEnds: number;
    beforeAll(async () => {
      // The world takes a while to start: the outage covers that and OUTAGE_MS more.
      outageEnds = Date.now() + 15_000 + OUTAGE_MS;
      world = await startOrdersWorld({
        env: {
          PAYMENT_UNAVAILABLE_UNTIL: new Date(outageEnds).toISOString(),
          PAYMENT_BREAKER_FAILURES: String(BREAKER_FAILURES),
          PAYMENT_BREAKER_WINDOW_MS: '60000',
          PAYMENT_BREAKER_OPEN_MS: String(BREAKER_OPEN_MS),
        },
      });
      await setStock(world, 'widget', 100);
    }, 60_000);
    afterAll(() => world.stop());

    it('opens the breaker after N failures, fails the charge fast while open, and completes every order once the provider is back', async () => {
      const placedAt = Date.now();
      const orderIds = await Promise.all(
        Array.from({ length: ORDERS }, () => placeOrder(world, order)),
      );
      const views = await Promise.all(orderIds.map((id) => terminal(world, id, 60_000)));
      // Orders placed after the outage would show nothing of the breaker.
      expect(placedAt).toBeLessThan(outageEnds - OUTAGE_MS);
      expect(views.map((v) => v.status)).toEqual(orderIds.map(() => 'COMPLETED'));

      const calls = await scrape(world.system.handlerUrls['charge-payment'] as string);
      const failed = calls.value(CALLS, { outcome: 'failed' });
      const refused = calls.value(CALLS, { outcome: 'breaker-open' });
      // N failures open it; after that only one probe per open spell reaches the provider.
      const probes = Math.ceil((outageEnds - placedAt) / BREAKER_OPEN_MS) + 1;
      expect(failed).toBeGreaterThanOrEqual(BREAKER_FAILURES);
      expect(failed).toBeLessThanOrEqual(BREAKER_FAILURES + probes);
      expect(refused).toBeGreaterThan(0);
      expect(calls.value(CALLS, { outcome: 'answered' })).toBe(ORDERS);
    }, 90_000);
  });

  describe('a rate limit', () => {
    const RATE = 4;
    const BURST = 2;
    let world: OrdersWorld;
    beforeAll(async () => {
      world = await startOrdersWorld({
        env: { PAYMENT_RATE_PER_SECOND: String(RATE), PAYMENT_RATE_BURST: String(BURST) },
      });
      await setStock(world, 'widget', 100);
    }, 60_000);
    afterAll(() => world.stop());

    it('holds the charges to the configured rate and refuses the rest for a retry, not a failure', async () => {
      const orderIds = await Promise.all(
        Array.from({ length: ORDERS }, () => placeOrder(world, order)),
      );
      const views = await Promise.all(orderIds.map((id) => terminal(world, id, 60_000)));
      expect(views.map((v) => v.status)).toEqual(orderIds.map(() => 'COMPLETED'));

      const { rows } = await world.pool.query<{ span: number }>(
        `SELECT extract(epoch FROM max(created_at) - min(created_at))::float8 AS span
           FROM payment_provider.charges`,
      );
      // The burst goes at once; each charge after it waits for a token.
      expect(rows[0]!.span).toBeGreaterThanOrEqual(((ORDERS - BURST) / RATE) * 0.9);
      const calls = await scrape(world.system.handlerUrls['charge-payment'] as string);
      expect(calls.value(CALLS, { outcome: 'rate-limited' })).toBeGreaterThan(0);
    }, 90_000);
  });
});
