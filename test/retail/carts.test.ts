import { eventually } from '@eventline/testing';
import { request, setStock, startRetailWorld, type RetailWorld } from './retail-system';

const ABANDONED = 'dev.eventline.carts.abandoned';

describe('shopping carts on real Postgres, Redis and Kafka', () => {
  let world: RetailWorld;

  beforeAll(async () => {
    world = await startRetailWorld({ env: { CART_TTL_SECONDS: '3' }, record: [ABANDONED] });
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('given an empty cart, when items are added and one removed, then the cart shows what is left with its total and version, and the shopper is sent a summary', async () => {
    const first = await request(world, 'POST', '/carts/cart-a/items', {
      sku: 'widget',
      quantity: 2,
      unitPrice: 1500,
    });
    expect(first).toEqual({
      status: 200,
      body: {
        cartId: 'cart-a',
        items: [{ sku: 'widget', quantity: 2, unitPrice: 1500 }],
        total: 3000,
        version: 1,
      },
    });
    await request(world, 'POST', '/carts/cart-a/items', {
      sku: 'gadget',
      quantity: 1,
      unitPrice: 700,
    });
    await request(world, 'POST', '/carts/cart-a/items', {
      sku: 'widget',
      quantity: 1,
      unitPrice: 1500,
    });
    expect((await request(world, 'DELETE', '/carts/cart-a/items/gadget')).status).toBe(200);
    expect(await request(world, 'GET', '/carts/cart-a')).toEqual({
      status: 200,
      body: {
        cartId: 'cart-a',
        items: [{ sku: 'widget', quantity: 3, unitPrice: 1500 }],
        total: 4500,
        version: 4,
      },
    });
    expect((await request(world, 'DELETE', '/carts/cart-a/items/gadget')).status).toBe(404);
    const summaries = await eventually(async () => {
      const { rows } = await world.pool.query<{ version: number; message: string }>(
        "SELECT version, message FROM retail.cart_summaries WHERE cart_id = 'cart-a' ORDER BY version",
      );
      return rows.some((r) => r.version === 4) ? rows : undefined;
    }, 30_000);
    expect(summaries.at(-1)?.message).toBe('Your cart cart-a: 3 items, 45.00 in total.');
  });

  it('given one cart, when 16 adds of different skus race, then none is lost: the cart holds all 16 at version 16', async () => {
    const adds = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        request(world, 'POST', '/carts/cart-race/items', {
          sku: `race-${i}`,
          quantity: 1,
          unitPrice: 100,
        }),
      ),
    );
    expect(adds.map((a) => a.status)).toEqual(adds.map(() => 200));
    const cart = await request(world, 'GET', '/carts/cart-race');
    expect((cart.body.items as unknown[]).length).toBe(16);
    expect(cart.body.version).toBe(16);
    // Each add answered the version it wrote: 1 to 16, once each.
    expect(adds.map((a) => a.body.version).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
  });

  it('given an add under an Idempotency-Key, when the client retries it, then the item is added once and the retry gets the first answer', async () => {
    const add = { sku: 'once', quantity: 2, unitPrice: 300 };
    const key = { 'idempotency-key': 'add-once-1' };
    const first = await request(world, 'POST', '/carts/cart-once/items', add, key);
    const retry = await request(world, 'POST', '/carts/cart-once/items', add, key);
    expect(retry).toEqual(first);
    expect((await request(world, 'GET', '/carts/cart-once')).body).toMatchObject({
      items: [{ sku: 'once', quantity: 2, unitPrice: 300 }],
      version: 1,
    });
  });

  it('given a cart read at version 1, when it is changed with If-Match 1 after another change, then 409 and the cart keeps the other change', async () => {
    await request(world, 'POST', '/carts/cart-match/items', {
      sku: 'a',
      quantity: 1,
      unitPrice: 1,
    });
    await request(world, 'POST', '/carts/cart-match/items', {
      sku: 'b',
      quantity: 1,
      unitPrice: 1,
    });
    const stale = await request(
      world,
      'POST',
      '/carts/cart-match/items',
      { sku: 'c', quantity: 1, unitPrice: 1 },
      { 'if-match': '1' },
    );
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatch(/version 2/);
    const cart = await request(world, 'GET', '/carts/cart-match');
    expect(cart.body.version).toBe(2);
  });

  it('given a filled cart, when it is checked out with an Idempotency-Key, then one order is placed and completes, a retry answers the same order, another body under the key is refused, and the cart is gone', async () => {
    await setStock(world, 'cart-sku', 10);
    await request(world, 'POST', '/carts/cart-buy/items', {
      sku: 'cart-sku',
      quantity: 3,
      unitPrice: 1200,
    });
    const body = { customerId: 'c-cart', region: 'eu-west' };
    const key = { 'idempotency-key': 'checkout-cart-buy' };
    const checkout = await request(world, 'POST', '/carts/cart-buy/checkout', body, key);
    expect(checkout.status).toBe(202);
    const orderId = checkout.body.orderId as string;
    expect(await request(world, 'POST', '/carts/cart-buy/checkout', body, key)).toEqual(checkout);
    const other = await request(
      world,
      'POST',
      '/carts/cart-buy/checkout',
      { ...body, region: 'us-east' },
      key,
    );
    expect(other.status).toBe(422);
    expect((await request(world, 'GET', '/carts/cart-buy')).status).toBe(404);
    // Without the key, the emptied cart has nothing to order.
    expect((await request(world, 'POST', '/carts/cart-buy/checkout', body)).status).toBe(422);
    const order = await eventually(async () => {
      const view = await request(world, 'GET', `/orders/${orderId}`);
      return view.status === 200 && view.body.status !== 'PENDING' ? view.body : undefined;
    }, 60_000);
    expect(order).toMatchObject({ status: 'COMPLETED', total: 3600 });
    expect((await request(world, 'GET', '/inventory/cart-sku')).body).toMatchObject({
      available: 7,
      shipped: 3,
    });
  });

  it('given a cart left alone past its TTL, when the abandonment job ticks, then CartAbandoned is announced once with what it held; a cart read meanwhile is renewed, not abandoned', async () => {
    await request(world, 'POST', '/carts/cart-left/items', {
      sku: 'left',
      quantity: 2,
      unitPrice: 50,
    });
    await request(world, 'POST', '/carts/cart-kept/items', {
      sku: 'kept',
      quantity: 1,
      unitPrice: 50,
    });
    // The kept cart is read all along, so its session slides; the left one runs out.
    let reading = true;
    const keepReading = (async () => {
      while (reading) {
        expect((await request(world, 'GET', '/carts/cart-kept')).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await world.system.pingSources.fire('cart-abandonment');
    await world.system.pingSources.fire('cart-abandonment');
    // The carts earlier tests left behind expire as well; these two are the ones watched here.
    const left = () =>
      world.recorded.received
        .map((r) => ({
          type: r.headers['ce-type'],
          cart: JSON.parse(r.body) as Record<string, unknown>,
        }))
        .filter(({ cart }) => cart.cartId === 'cart-left' || cart.cartId === 'cart-kept');
    await eventually(async () => (left().length > 0 ? true : undefined), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    reading = false;
    await keepReading;
    expect(left()).toEqual([
      {
        type: ABANDONED,
        cart: expect.objectContaining({
          cartId: 'cart-left',
          items: [{ sku: 'left', quantity: 2, unitPrice: 50 }],
          total: 100,
          version: 1,
        }),
      },
    ]);
  });

  it('given bad input, then 400 names the field', async () => {
    const bad = [
      await request(world, 'POST', '/carts/cart-x/items', { sku: 'w', quantity: 0, unitPrice: 1 }),
      await request(world, 'POST', '/carts/cart-x/items', {
        sku: 'w w',
        quantity: 1,
        unitPrice: 1,
      }),
      await request(world, 'POST', '/carts/cart-x/items', { sku: 'w', quantity: 1, unitPrice: -1 }),
      await request(world, 'POST', '/carts/cart-x/checkout', { customerId: '', region: 'eu-west' }),
      await request(
        world,
        'POST',
        '/carts/cart-x/items',
        { sku: 'w', quantity: 1, unitPrice: 1 },
        { 'if-match': 'x' },
      ),
    ];
    expect(bad.map((b) => b.status)).toEqual([400, 400, 400, 400, 400]);
    expect(bad.map((b) => String(b.body.error).split(' ')[0])).toEqual([
      'quantity',
      'sku',
      'unitPrice',
      'customerId',
      'If-Match',
    ]);
  });
});

describe('shopping carts with Redis down', () => {
  let world: RetailWorld;

  beforeAll(async () => {
    // Nothing listens on port 1: every Redis connection is refused.
    world = await startRetailWorld({
      env: { REDIS_URL: 'redis://127.0.0.1:1' },
      record: ['dev.eventline.carts.updated', 'dev.eventline.carts.checked-out'],
    });
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('given Redis unreachable, when a cart is changed, read or checked out, then 503 says why and nothing is written', async () => {
    const answers = [
      await request(world, 'POST', '/carts/cart-down/items', {
        sku: 'w',
        quantity: 1,
        unitPrice: 1,
      }),
      await request(world, 'GET', '/carts/cart-down'),
      await request(world, 'DELETE', '/carts/cart-down/items/w'),
      await request(world, 'POST', '/carts/cart-down/checkout', {
        customerId: 'c',
        region: 'eu-west',
      }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.body.error).toMatch(/Redis, which is unavailable/);
    }
    const sessions = await world.pool.query('SELECT 1 FROM retail.cart_sessions');
    const outbox = await world.pool.query(
      "SELECT 1 FROM eventline.outbox WHERE producer = 'carts-api'",
    );
    expect(sessions.rowCount).toBe(0);
    expect(outbox.rowCount).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(world.recorded.received).toEqual([]);
  });
});
