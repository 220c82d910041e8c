import { randomUUID } from 'node:crypto';
import { OrderPlaced } from '@eventline/events';
import { EventStore, rebuildProjection } from '@eventline/eventstore';
import {
  badInput,
  defineEdge,
  notFound,
  outgoing,
  unprocessable,
  type EdgeContext,
} from '@eventline/kit';
import { HIGH_VALUE_TOTAL, orderTotal, parsePlaceOrder, requestFingerprint } from '../domain/order';
import { isTerminal, startSaga, type OrderStatus } from '../domain/saga';
import { catchUpOrderView, loadOrderView, orderViewProjection } from '../order-view';
import { orderStream, persistDecision, sagaRequests, type OrderFacts } from '../saga-store';

/** Final views never change again, so only they are cached, for as long as memory allows. */
const FINAL_VIEW_TTL_SECONDS = 3600;

function placeOrderRoutes(
  router: Parameters<NonNullable<Parameters<typeof defineEdge>[0]['routes']>>[0],
  { pool, transact, cache, log }: EdgeContext,
): void {
  const store = new EventStore(pool);

  router.post('/orders', async (req, res) => {
    const command = parsePlaceOrder(req.body);
    if ('error' in command) throw badInput(command.error);
    const key = req.get('idempotency-key');
    if (key !== undefined && (key.length === 0 || key.length > 200))
      throw badInput('Idempotency-Key must be 1-200 characters');

    const placed = await transact(async (tx) => {
      const orderId = randomUUID();
      if (key) {
        const request = requestFingerprint(command);
        const claimed = await tx.query<{ order_id: string; request: string | null }>(
          `INSERT INTO orders.idempotency_keys (key, order_id, request) VALUES ($1, $2, $3)
           ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key RETURNING order_id, request`,
          [key, orderId, request],
        );
        const existing = claimed.rows[0];
        if (existing && existing.order_id !== orderId) {
          // keys stored before requests were recorded match any request
          if (existing.request !== null && existing.request !== request)
            throw unprocessable(
              `Idempotency-Key ${key} was already used for another order (${existing.order_id})`,
            );
          return { result: { orderId: existing.order_id, created: false } };
        }
      }
      const order: OrderFacts = { orderId, ...command, total: orderTotal(command.items) };
      const placedAt = new Date().toISOString();
      const saga = startSaga();
      const requests = await persistDecision(tx, store, order, saga, true);
      await store.appendInTransaction(
        tx,
        orderStream(orderId),
        [{ type: 'OrderPlaced', data: { ...order, placedAt } }],
        {
          expectedVersion: 'no-stream',
        },
      );
      // Knative filters on attributes, not data: region and value travel as extensions.
      const announcement = outgoing(
        OrderPlaced,
        { ...order, placedAt },
        {
          partitionkey: orderId,
          extensions: { region: order.region, highvalue: String(order.total >= HIGH_VALUE_TOTAL) },
        },
      );
      return { result: { orderId, created: true }, emit: [announcement, ...requests] };
    });
    if (placed.created) catchUpOrderView(pool, log);
    res.status(202).json({ orderId: placed.orderId });
  });

  // Replay as a command: the view is rebuilt from the event store in one transaction, so readers
  // see the old view until the new one is complete.
  router.post('/orders/projections/order-view/rebuild', async (_req, res) => {
    const rebuilt = await rebuildProjection(store, orderViewProjection);
    res.json({
      projection: orderViewProjection.name,
      replayedEvents: rebuilt.events,
      position: rebuilt.position,
    });
  });

  router.get('/orders/:orderId', async (req, res) => {
    const orderId = req.params.orderId;
    const cached = await cache.getOrLoad(
      `orders:final:${orderId}`,
      FINAL_VIEW_TTL_SECONDS,
      async () => {
        const view = await loadOrderView(pool, orderId);
        return view && isTerminal(view.status as OrderStatus) ? view : undefined;
      },
    );
    const view = cached ?? (await loadOrderView(pool, orderId));
    if (!view) throw notFound(`no order ${orderId}`);
    res.json(view);
  });

  router.put('/inventory/:sku', async (req, res) => {
    const available = (req.body as { available?: unknown } | undefined)?.available;
    if (!Number.isInteger(available) || (available as number) < 0)
      throw badInput('available must be a non-negative integer');
    const { rows } = await pool.query(
      `INSERT INTO orders.inventory (sku, available) VALUES ($1, $2)
       ON CONFLICT (sku) DO UPDATE SET available = EXCLUDED.available
       RETURNING sku, available, reserved, shipped`,
      [req.params.sku, available],
    );
    res.json(rows[0]);
  });

  router.get('/inventory/:sku', async (req, res) => {
    const { rows } = await pool.query(
      'SELECT sku, available, reserved, shipped FROM orders.inventory WHERE sku = $1',
      [req.params.sku],
    );
    if (!rows[0]) throw notFound(`no sku ${req.params.sku}`);
    res.json(rows[0]);
  });
}

/** The orders HTTP edge: commands in, the order status read model out. */
export const ordersApi = defineEdge({
  name: 'orders-api',
  emits: [OrderPlaced, ...sagaRequests],
  routes: placeOrderRoutes,
});
