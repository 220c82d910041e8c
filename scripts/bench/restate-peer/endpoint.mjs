// The flash sale written on Restate, the peer `npm run bench -- saga --peer restate` measures
// Eventline against: the same steps (reserve stock, charge, ship, then notify and count revenue)
// with the same Postgres writes, as a Restate user would write it. One endpoint process per
// service group, as Eventline runs one process per handler: `node endpoint.mjs <group> <port>`,
// with the SDK resolved from RESTATE_PEER_MODULES (the bench installs it in the tool cache) and
// the database from DATABASE_URL.
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

// The SDK uses Promise.withResolvers, which Node 20 lacks.
Promise.withResolvers ??= function withResolvers() {
  let resolve;
  let reject;
  const promise = new this((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const [group, port] = process.argv.slice(2);
const restate = createRequire(`${process.env.RESTATE_PEER_MODULES}/`)('@restatedev/restate-sdk');
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 16 });
const paymentLatencyMs = Number(process.env.PAYMENT_LATENCY_MS ?? 1);

const inventory = restate.object({
  name: 'inventory',
  handlers: {
    set: async (ctx, { available }) => ctx.set('available', available),
    reserve: async (ctx, { quantity }) => {
      const available = (await ctx.get('available')) ?? 0;
      if (available < quantity) return false;
      ctx.set('available', available - quantity);
      return true;
    },
    release: async (ctx, { quantity }) =>
      ctx.set('available', ((await ctx.get('available')) ?? 0) + quantity),
  },
});

const payments = restate.service({
  name: 'payments',
  handlers: {
    charge: async (ctx, { orderId, customerId, amount }) =>
      ctx.run('charge', async () => {
        await sleep(paymentLatencyMs);
        if (customerId.startsWith('decline-')) return false;
        await pool.query(
          `INSERT INTO peer.payments (order_id, customer_id, amount) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING`,
          [orderId, customerId, amount],
        );
        return true;
      }),
    refund: async (ctx, { orderId }) =>
      ctx.run('refund', () =>
        pool.query(`UPDATE peer.payments SET refunded = true WHERE order_id = $1`, [orderId]),
      ),
  },
});

const shipments = restate.service({
  name: 'shipments',
  handlers: {
    create: async (ctx, { orderId, region }) =>
      ctx.run('ship', async () => {
        await pool.query(
          `INSERT INTO peer.shipments (order_id, region) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
          [orderId, region],
        );
      }),
  },
});

const fanOut = restate.service({
  name: 'fanout',
  handlers: {
    notify: async (ctx, { orderId, customerId }) =>
      ctx.run('notify', () =>
        pool.query(
          `INSERT INTO peer.notifications (order_id, customer_id) VALUES ($1, $2)
           ON CONFLICT DO NOTHING`,
          [orderId, customerId],
        ),
      ),
    revenue: async (ctx, { region, total, minute }) =>
      ctx.run('revenue', () =>
        pool.query(
          `INSERT INTO peer.revenue_by_minute (minute, region, orders, revenue) VALUES ($1, $2, 1, $3)
           ON CONFLICT (minute, region) DO UPDATE
             SET orders = peer.revenue_by_minute.orders + 1, revenue = peer.revenue_by_minute.revenue + $3`,
          [minute, region, total],
        ),
      ),
  },
});

const setStatus = (orderId, status, reason = null) =>
  pool.query(
    `UPDATE peer.order_view SET status = $2, reason = $3, updated_at = clock_timestamp() WHERE order_id = $1`,
    [orderId, status, reason],
  );

/** The saga: each step a durable call, compensations in reverse order of what succeeded. */
const order = restate.workflow({
  name: 'order',
  handlers: {
    run: async (ctx, { customerId, region, items, placedAt }) => {
      const orderId = ctx.key;
      const total = items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
      await ctx.run('record', () =>
        pool.query(
          `INSERT INTO peer.order_view (order_id, status, customer_id, region, total, placed_at, updated_at)
           VALUES ($1, 'PENDING', $2, $3, $4, $5, clock_timestamp()) ON CONFLICT DO NOTHING`,
          [orderId, customerId, region, total, placedAt],
        ),
      );
      ctx.serviceSendClient({ name: 'fanout' }).notify({ orderId, customerId });
      ctx.serviceSendClient({ name: 'fanout' }).revenue({
        region,
        total,
        minute: `${placedAt.slice(0, 16)}:00Z`,
      });
      const reserved = [];
      for (const item of items) {
        const held = await ctx.objectClient({ name: 'inventory' }, item.sku).reserve(item);
        if (!held) {
          for (const done of reserved.reverse())
            await ctx.objectClient({ name: 'inventory' }, done.sku).release(done);
          await ctx.run('cancel', () =>
            setStatus(orderId, 'CANCELLED', `no stock for ${item.sku}`),
          );
          return 'CANCELLED';
        }
        reserved.push(item);
      }
      const charged = await ctx.serviceClient({ name: 'payments' }).charge({
        orderId,
        customerId,
        amount: total,
      });
      if (!charged) {
        for (const done of reserved.reverse())
          await ctx.objectClient({ name: 'inventory' }, done.sku).release(done);
        await ctx.run('decline', () => setStatus(orderId, 'CANCELLED', 'card declined'));
        return 'CANCELLED';
      }
      await ctx.serviceClient({ name: 'shipments' }).create({ orderId, region });
      await ctx.run('complete', () => setStatus(orderId, 'COMPLETED'));
      return 'COMPLETED';
    },
  },
});

const groups = { order, inventory, payments, shipments, fanout: fanOut };
const service = groups[group];
if (!service) throw new Error(`unknown service group ${group}: one of ${Object.keys(groups)}`);
restate.endpoint().bind(service).listen(Number(port));
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
