import { grantedTypes, loadRouting, senderGrants, senderName } from '@eventline/routing';
import { eventually } from '@eventline/testing';
import { postBinary } from '../support/cloudevents';
import {
  placeOrder,
  routingWithHandFiredJobs,
  setStock,
  startOrdersWorld,
  terminal,
  type OrdersWorld,
} from './orders-system';

const routing = loadRouting();
const grants = senderGrants(routing);

/** A handler that really sends, but not `type`: a forger with a genuine identity. */
function otherSender(type: string): string {
  const other = grants.find(
    (g) => g.kind === 'handler' && !g.types.includes(type) && !g.types.includes('*'),
  );
  if (!other) throw new Error(`no handler without a grant for ${type}`);
  return other.name;
}

describe('forged events at the broker ingress, on real Kafka, Postgres and Redis', () => {
  let world: OrdersWorld;

  beforeAll(async () => {
    world = await startOrdersWorld({
      routing: routingWithHandFiredJobs(),
      // Long enough a charge for a forgery to land while the order is still paying.
      env: { PAYMENT_LATENCY_MS: '3000' },
    });
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  it.each(grantedTypes(routing))(
    'given %s, when an unauthorised sender posts it, then the ingress answers 403 naming the type and the sender and appends nothing',
    async (type) => {
      const forger = otherSender(type);
      const tokens = world.system.senderTokens;
      const appended = world.system.broker.eventsAppended;

      const forgeries = await Promise.all([
        postBinary(world.system.brokerUrl, type, {}),
        postBinary(world.system.brokerUrl, type, {}, { authorization: 'Bearer forged-token' }),
        postBinary(world.system.brokerUrl, type, {}, { authorization: `Bearer ${tokens[forger]}` }),
      ]);

      expect(forgeries.map((f) => f.status)).toEqual([403, 403, 403]);
      const bodies = await Promise.all(forgeries.map((f) => f.json()));
      expect(bodies).toEqual([
        { error: expect.stringContaining(type), type, sender: null },
        { error: expect.stringContaining(type), type, sender: null },
        {
          error: `${senderName({ kind: 'handler', name: forger })} may not send ${type} to this broker`,
          type,
          sender: senderName({ kind: 'handler', name: forger }),
        },
      ]);
      expect(world.system.broker.eventsAppended).toBe(appended);
    },
  );

  it('given an order still paying, when an unknown sender posts release-requested for it, then it is refused, the stock stays held, and the order completes with its shipment', async () => {
    await setStock(world, 'forged', 10);
    const orderId = await placeOrder(world, {
      items: [{ sku: 'forged', quantity: 2, unitPrice: 700 }],
    });
    await eventually(async () => {
      const { rows } = await world.pool.query<{ step: string }>(
        'SELECT step FROM orders.saga_timers WHERE order_id = $1',
        [orderId],
      );
      return rows[0]?.step === 'charge-payment' ? true : undefined;
    });

    const forged = await postBinary(
      world.system.brokerUrl,
      'dev.eventline.inventory.release-requested',
      { orderId },
      { 'ce-source': '/eventline/orders/order-saga' },
    );

    expect(forged.status).toBe(403);
    const { rows: paying } = await world.pool.query(
      'SELECT status FROM orders.reservations WHERE order_id = $1',
      [orderId],
    );
    expect(paying).toEqual([{ status: 'held' }]);
    const view = await terminal(world, orderId, 60_000);
    expect(view.status).toBe('COMPLETED');
    const { rows: shipments } = await world.pool.query(
      'SELECT order_id FROM orders.shipments WHERE order_id = $1',
      [orderId],
    );
    expect(shipments).toEqual([{ order_id: orderId }]);
    const { rows: stock } = await world.pool.query(
      'SELECT available, reserved, shipped FROM orders.inventory WHERE sku = $1',
      ['forged'],
    );
    expect(stock).toEqual([{ available: 8, reserved: 0, shipped: 2 }]);
  }, 120_000);
});
