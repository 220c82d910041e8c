import { eventually } from '@eventline/testing';
import { setStock, startOrdersWorld, terminal, type OrdersWorld } from './orders-system';

/**
 * The edge refuses new orders with 429 and Retry-After while the orders in flight wait too long
 * for their steps, and accepts again once they have drained. Slow payments (3 s each) stand in
 * for a backlog in front of a step handler.
 */
describe('admission control at the order edge', () => {
  let world: OrdersWorld;

  beforeAll(async () => {
    world = await startOrdersWorld({
      env: {
        PAYMENT_LATENCY_MS: '3000',
        ORDERS_ADMISSION_MAX_STEP_WAIT_MS: '300',
        ORDERS_ADMISSION_MIN_OPEN: '3',
        ORDERS_ADMISSION_SAMPLE_MS: '50',
      },
    });
    await setStock(world, 'slow-widget', 100);
  }, 120_000);

  afterAll(() => world?.stop());

  const post = (key: string) =>
    fetch(`${world.system.edgeUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({
        customerId: 'c-admission',
        region: 'eu-west',
        items: [{ sku: 'slow-widget', quantity: 1, unitPrice: 100 }],
      }),
    });

  it('refuses orders while steps wait past the limit, writes nothing for them, and admits again after', async () => {
    const accepted: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const response = await post(`admitted-${i}`);
      expect(response.status).toBe(202);
      accepted.push(((await response.json()) as { orderId: string }).orderId);
    }

    // Four sagas wait on 3 s payments: within moments their step waits pass 300 ms.
    const refused = await eventually(
      async () => {
        const response = await post('refused-then-retried');
        if (response.status === 202) throw new Error('accepted while steps wait: admission is off');
        return response.status === 429 ? response : undefined;
      },
      10_000,
      50,
    );
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { error: string }).error).toMatch(
      /overloaded: \d+ orders in flight, their steps waiting .* s \(p90, limit 0\.3 s\)/,
    );

    for (const orderId of accepted)
      expect((await terminal(world, orderId)).status).toBe('COMPLETED');

    // The refused request claimed nothing: the same key is a first try once the backlog is gone.
    const retried = await eventually(
      async () => {
        const response = await post('refused-then-retried');
        return response.status === 202 ? response : undefined;
      },
      10_000,
      50,
    );
    const { orderId } = (await retried.json()) as { orderId: string };
    expect(accepted).not.toContain(orderId);
    expect((await terminal(world, orderId)).status).toBe('COMPLETED');
  }, 120_000);
});
