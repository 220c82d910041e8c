import { eventually } from '@eventline/testing';
import { request, setStock, startRetailWorld, type RetailWorld } from './retail-system';

const PROMOTIONS = [
  { id: 'mugs-3-for-2', kind: 'buy-x-get-y', sku: 'mug', buy: 2, free: 1 },
  { id: 'tea-20', kind: 'percent-off', sku: 'tea', percent: 20 },
  { id: 'basket-30', kind: 'basket-threshold', threshold: 30_00, off: 3_00 },
];

describe('point of sale on real Postgres, Redis and Kafka', () => {
  let world: RetailWorld;

  beforeAll(async () => {
    world = await startRetailWorld({ env: { POS_PROMOTIONS: JSON.stringify(PROMOTIONS) } });
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('given stock and promotions, when a basket is bought, then it is priced with them, earns points, leaves the inventory, and a retry under its Idempotency-Key sells nothing twice', async () => {
    await setStock(world, 'mug', 10);
    await setStock(world, 'tea', 10);
    const basket = {
      storeId: 'store-1',
      customerId: 'c-pos',
      items: [
        { sku: 'mug', quantity: 3, unitPrice: 800 },
        { sku: 'tea', quantity: 2, unitPrice: 1000 },
      ],
      payment: { method: 'card' },
    };
    const key = { 'idempotency-key': 'till-1-sale-1' };
    const sale = await request(world, 'POST', '/pos/purchases', basket, key);
    expect(sale.status).toBe(201);
    // 44.00: the third mug is free (8.00), tea 20% off (4.00), then 3.00 off a basket over 30.00.
    expect(sale.body).toMatchObject({
      subtotal: 4400,
      discount: 1500,
      total: 2900,
      pointsEarned: 29,
      promotions: [
        { id: 'mugs-3-for-2', discount: 800 },
        { id: 'tea-20', discount: 400 },
        { id: 'basket-30', discount: 300 },
      ],
    });
    expect(await request(world, 'POST', '/pos/purchases', basket, key)).toEqual(sale);
    expect((await request(world, 'GET', '/inventory/mug')).body).toMatchObject({
      available: 7,
      shipped: 3,
    });
    expect((await request(world, 'GET', '/inventory/tea')).body).toMatchObject({
      available: 8,
      shipped: 2,
    });
    const stored = await request(world, 'GET', `/pos/purchases/${String(sale.body.purchaseId)}`);
    expect(stored).toEqual({ status: 200, body: sale.body });
  });

  it('given one sku short, when a basket is bought, then 422 names it and nothing of the basket is sold', async () => {
    await setStock(world, 'plate', 5);
    await setStock(world, 'bowl', 1);
    const short = await request(world, 'POST', '/pos/purchases', {
      storeId: 'store-1',
      items: [
        { sku: 'plate', quantity: 2, unitPrice: 100 },
        { sku: 'bowl', quantity: 2, unitPrice: 100 },
      ],
      payment: { method: 'cash' },
    });
    expect(short.status).toBe(422);
    expect(short.body.error).toMatch(/insufficient stock for bowl/);
    expect((await request(world, 'GET', '/inventory/plate')).body).toMatchObject({
      available: 5,
      shipped: 0,
    });
  });

  it('given 10 in stock, when 24 till purchases and 24 online orders race for it, then exactly 10 are sold across both channels and the stock adds up', async () => {
    await setStock(world, 'contested', 10);
    const item = { sku: 'contested', quantity: 1, unitPrice: 500 };
    const racing = await Promise.all(
      Array.from({ length: 48 }, (_, i) =>
        i % 2 === 0
          ? request(world, 'POST', '/pos/purchases', {
              storeId: `store-${i % 3}`,
              items: [item],
              payment: { method: 'cash' },
            })
          : request(world, 'POST', '/orders', {
              customerId: `online-${i}`,
              region: 'eu-west',
              items: [item],
            }),
      ),
    );
    const tills = racing.filter((_, i) => i % 2 === 0);
    const online = racing.filter((_, i) => i % 2 === 1);
    expect(new Set(tills.map((t) => t.status))).toEqual(
      new Set(tills.some((t) => t.status === 422) ? [201, 422] : [201]),
    );
    expect(online.map((o) => o.status)).toEqual(online.map(() => 202));
    const outcomes = await eventually(async () => {
      const views = await Promise.all(
        online.map((o) => request(world, 'GET', `/orders/${String(o.body.orderId)}`)),
      );
      const statuses = views.map((v) => v.body.status);
      return statuses.every((s) => s === 'COMPLETED' || s === 'CANCELLED') ? statuses : undefined;
    }, 120_000);
    const soldAtTills = tills.filter((t) => t.status === 201).length;
    const soldOnline = outcomes.filter((s) => s === 'COMPLETED').length;
    expect(soldAtTills + soldOnline).toBe(10);
    expect((await request(world, 'GET', '/inventory/contested')).body).toEqual({
      sku: 'contested',
      available: 0,
      reserved: 0,
      shipped: 10,
    });
  });

  it('given bad input, then 400 names the field, an unknown sku included', async () => {
    const base = {
      storeId: 'store-1',
      items: [{ sku: 'mug', quantity: 1, unitPrice: 800 }],
      payment: { method: 'card' },
    };
    const bad = [
      await request(world, 'POST', '/pos/purchases', { ...base, storeId: '' }),
      await request(world, 'POST', '/pos/purchases', {
        ...base,
        items: [{ sku: 'mug', quantity: 0, unitPrice: 1 }],
      }),
      await request(world, 'POST', '/pos/purchases', { ...base, payment: { method: 'iou' } }),
      await request(world, 'POST', '/pos/purchases', {
        ...base,
        items: [{ sku: 'nowhere', quantity: 1, unitPrice: 1 }],
      }),
    ];
    expect(bad.map((b) => b.status)).toEqual([400, 400, 400, 400]);
    expect(bad.map((b) => String(b.body.error).split(/[ :]/)[0])).toEqual([
      'storeId',
      'items[0].quantity',
      'payment',
      'items[0].sku',
    ]);
  });
});
