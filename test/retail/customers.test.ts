import { eventually } from '@eventline/testing';
import { request, setStock, startRetailWorld, type RetailWorld } from './retail-system';

describe('the customers read model on real Postgres, Redis and Kafka', () => {
  let world: RetailWorld;

  beforeAll(async () => {
    world = await startRetailWorld();
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('given a customer who orders online, checks out a cart and buys at a till, then their profile shows all three, newest first, with the till points', async () => {
    await setStock(world, 'lamp', 20);
    const online = await request(world, 'POST', '/orders', {
      customerId: 'c-loyal',
      region: 'eu-west',
      items: [{ sku: 'lamp', quantity: 1, unitPrice: 2500 }],
    });
    expect(online.status).toBe(202);
    await request(world, 'POST', '/carts/cart-loyal/items', {
      sku: 'lamp',
      quantity: 2,
      unitPrice: 2500,
    });
    const checkout = await request(world, 'POST', '/carts/cart-loyal/checkout', {
      customerId: 'c-loyal',
      region: 'eu-west',
    });
    expect(checkout.status).toBe(202);
    const sale = {
      storeId: 'store-9',
      customerId: 'c-loyal',
      items: [{ sku: 'lamp', quantity: 1, unitPrice: 4250 }],
      payment: { method: 'cash' },
    };
    const key = { 'idempotency-key': 'store-9-sale-1' };
    const till = await request(world, 'POST', '/pos/purchases', sale, key);
    expect(till.status).toBe(201);
    // A till retry under its key answers the same sale and emits nothing new.
    expect((await request(world, 'POST', '/pos/purchases', sale, key)).body).toEqual(till.body);
    const view = await eventually(async () => {
      const answer = await request(world, 'GET', '/customers/c-loyal');
      return answer.status === 200 && answer.body.purchases === 3 ? answer.body : undefined;
    }, 60_000);
    expect(view).toMatchObject({
      customerId: 'c-loyal',
      points: 42,
      purchases: 3,
      spent: 2500 + 5000 + 4250,
    });
    const last = view.lastPurchases as Array<Record<string, unknown>>;
    expect(last.map((p) => [p.channel, p.reference, p.total, p.points])).toEqual([
      ['store', till.body.purchaseId, 4250, 42],
      ['online', checkout.body.orderId, 5000, 0],
      ['online', online.body.orderId, 2500, 0],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await request(world, 'GET', '/customers/c-loyal')).body.purchases).toBe(3);
  });

  it('given an anonymous till sale, then no customer is made of it; an unknown customer is 404', async () => {
    await setStock(world, 'pen', 5);
    const sale = await request(world, 'POST', '/pos/purchases', {
      storeId: 'store-9',
      items: [{ sku: 'pen', quantity: 1, unitPrice: 100 }],
      payment: { method: 'cash' },
    });
    expect(sale.status).toBe(201);
    expect(sale.body.pointsEarned).toBe(0);
    expect((await request(world, 'GET', '/customers/nobody')).status).toBe(404);
    const long = await request(world, 'GET', `/customers/${'x'.repeat(65)}`);
    expect(long.status).toBe(400);
    expect(long.body.error).toMatch(/^customerId/);
  });
});
