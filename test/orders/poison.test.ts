import { EventStore } from '@eventline/eventstore';
import {
  orderView,
  placeOrder,
  setStock,
  startOrdersWorld,
  terminal,
  type OrdersWorld,
} from './orders-system';

interface Parked {
  position: number;
  streamId: string;
  type: string;
  error: string;
}

describe('a poison event in the order stream, on real Kafka, Postgres and Redis', () => {
  let world: OrdersWorld;

  beforeAll(async () => {
    world = await startOrdersWorld();
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('given an order event the view cannot hold, when orders follow it, then it is parked with why and every later order is visible', async () => {
    // As an older producer could have written it, before money had its bound: a total past bigint.
    await new EventStore(world.pool).append('order-poison-1', [
      {
        type: 'OrderPlaced',
        data: {
          orderId: 'poison-1',
          customerId: 'c-old',
          region: 'eu-west',
          items: [{ sku: 'old', quantity: 1, unitPrice: 1e20 }],
          total: 1e20,
          placedAt: new Date().toISOString(),
        },
      },
    ]);
    await setStock(world, 'after-poison', 10);

    const orderIds = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        placeOrder(world, {
          customerId: `c-${i}`,
          items: [{ sku: 'after-poison', quantity: 1, unitPrice: 300 }],
        }),
      ),
    );
    const views = await Promise.all(orderIds.map((id) => terminal(world, id, 60_000)));
    expect(views.map((v) => v.status)).toEqual(Array(5).fill('COMPLETED'));

    const api = `${world.system.edgeUrl}/orders/projections/order-view/parked`;
    const { parked } = (await (await fetch(api)).json()) as { parked: Parked[] };
    expect(parked).toEqual([
      expect.objectContaining({ streamId: 'order-poison-1', type: 'OrderPlaced' }),
    ]);
    expect(parked[0]!.error).toMatch(/out of range for type bigint/);
    expect(await orderView(world, 'poison-1')).toBeUndefined();

    const replay = await fetch(`${api}/${parked[0]!.position}/replay`, { method: 'POST' });
    expect(replay.status).toBe(422);
    expect(((await replay.json()) as { error: string }).error).toMatch(
      /still fails: .*out of range for type bigint/,
    );
    expect((await fetch(`${api}/999999999/replay`, { method: 'POST' })).status).toBe(404);
    const badPage = await fetch(`${api}?limit=0`);
    expect(badPage.status).toBe(400);
    expect(((await badPage.json()) as { error: string }).error).toMatch(/limit/);
  }, 120_000);

  it('given an order whose price is past the bound, when posted, then 400 names the field and nothing is stored', async () => {
    const response = await fetch(`${world.system.edgeUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerId: 'c-1',
        region: 'eu-west',
        items: [{ sku: 'after-poison', quantity: 1, unitPrice: 1e20 }],
      }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain('items[0].unitPrice');
  });
});
