import { eventually } from '@eventline/testing';
import {
  placeOrder,
  setStock,
  startOrdersWorld,
  terminal,
  type OrdersWorld,
} from '../orders/orders-system';

const IDLE_WINDOW_MS = 2_000;

/**
 * The local broker and gateway send to a running handler's process itself, not through its
 * activator address, as Knative takes the activator out of a Service's data path once it has
 * pods; the activator still counts those requests in flight and starts a stopped process first.
 */
describe('deliveries straight to running handler processes', () => {
  let world: OrdersWorld;

  beforeAll(async () => {
    world = await startOrdersWorld({
      env: { EVENTLINE_IDLE_WINDOW_MS: String(IDLE_WINDOW_MS) },
    });
    await setStock(world, 'direct', 10);
  }, 120_000);

  afterAll(() => world?.stop());

  it('given handlers scaled to zero, when an order runs, then every request goes straight to the process started for it and the stable address still serves outside callers', async () => {
    const activator = world.system.activator!;
    const orderId = await placeOrder(world, {
      items: [{ sku: 'direct', quantity: 1, unitPrice: 100 }],
    });
    expect((await terminal(world, orderId, 90_000)).status).toBe('COMPLETED');

    for (const name of ['orders-api', 'order-saga', 'reserve-inventory', 'charge-payment']) {
      const requests = activator.requestsOf(name);
      expect({ name, passedThrough: requests.passedThrough }).toEqual({ name, passedThrough: 0 });
      expect(requests.direct).toBeGreaterThanOrEqual(1);
    }

    // The stable address still serves whoever calls it from outside.
    const outside = await fetch(`${world.system.handlerUrls['orders-api']}/orders/${orderId}`);
    expect(outside.status).toBe(200);
    expect(activator.requestsOf('orders-api').passedThrough).toBe(1);
  }, 180_000);

  it('given a direct request held open, when a request through the stable address ends meanwhile, then the process outlives the idle window until the held one is released', async () => {
    const activator = world.system.activator!;
    const name = 'notify-customer';
    const address = `${world.system.handlerUrls[name]}/`;
    const held = (await activator.direct(address))!;
    const process = world.system.processes.get(name)!;
    expect(process.running).toBe(true);

    expect((await fetch(`${world.system.handlerUrls[name]}/readyz`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS + 1_500));
    expect(process.running).toBe(true);

    held.release();
    await eventually(
      async () => (process.running ? undefined : true),
      IDLE_WINDOW_MS + 10_000,
      100,
    );
  }, 60_000);
});
