import {
  EventStore,
  followProjection,
  type Projection,
  type ProjectionFollower,
  type RecordedEvent,
} from '@eventline/eventstore';
import type { Pool, Transaction } from '@eventline/store';
import type { Logger } from '@eventline/telemetry';
import type { OrderFacts, OrderPlacedEvent } from './domain/order';
import type { SagaEvent } from './domain/saga';

export type OrderEvent = OrderPlacedEvent | SagaEvent;

export interface OrderView {
  orderId: string;
  status: string;
  customerId: string;
  region: string;
  items: OrderFacts['items'];
  total: number;
  reason: string | null;
  history: Array<{ at: string; event: string; detail?: unknown }>;
}

function orderIdOf(event: RecordedEvent<OrderEvent>): string {
  return event.streamId.replace(/^order-/, '');
}

const STATUS_OF: Partial<Record<OrderEvent['type'], string>> = {
  OrderCompleted: 'COMPLETED',
  OrderCancelled: 'CANCELLED',
  OrderFailed: 'FAILED',
};

/** The order status read model (CQRS), fed from the event store by global position. */
export const orderViewProjection: Projection<OrderEvent> = {
  name: 'orders.order_view',
  async apply(tx: Transaction, event: RecordedEvent<OrderEvent>) {
    if (!event.streamId.startsWith('order-')) return;
    const entry = JSON.stringify([
      { at: event.recordedAt.toISOString(), event: event.type, detail: event.data },
    ]);
    if (event.type === 'OrderPlaced') {
      const order = event.data;
      await tx.query(
        `INSERT INTO orders.order_view (order_id, status, customer_id, region, items, total, history, placed_at, updated_at)
         VALUES ($1, 'PENDING', $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (order_id) DO NOTHING`,
        [
          order.orderId,
          order.customerId,
          order.region,
          JSON.stringify(order.items),
          order.total,
          entry,
          order.placedAt,
          event.recordedAt,
        ],
      );
      return;
    }
    const status = STATUS_OF[event.type];
    const reason = 'reason' in event.data ? (event.data.reason as string) : null;
    await tx.query(
      `UPDATE orders.order_view SET history = history || $2::jsonb, updated_at = $3,
         status = COALESCE($4, status), reason = COALESCE($5, reason)
       WHERE order_id = $1`,
      [orderIdOf(event), entry, event.recordedAt, status ?? null, status ? reason : null],
    );
  },
  async reset(tx: Transaction) {
    await tx.query('TRUNCATE orders.order_view');
  },
};

export async function loadOrderView(db: Pool, orderId: string): Promise<OrderView | undefined> {
  const { rows } = await db.query<OrderView>(
    `SELECT order_id AS "orderId", status, customer_id AS "customerId", region, items, total, reason, history
     FROM orders.order_view WHERE order_id = $1`,
    [orderId],
  );
  return rows[0];
}

const followers = new WeakMap<Pool, ProjectionFollower>();

/**
 * Brings the order view up to the events just committed, without waiting: every handler that
 * appends order events calls it after its commit, so the view needs no poll loop (and a
 * scaled-to-zero service none at all). The order-view-catch-up job covers a crash in between.
 */
export function catchUpOrderView(pool: Pool, log: Logger): void {
  let follower = followers.get(pool);
  if (!follower) {
    follower = followProjection(new EventStore(pool), orderViewProjection, (err) =>
      log.warn({ err }, 'order view catch-up failed; the next commit or the job retries'),
    );
    followers.set(pool, follower);
  }
  follower.catchUp();
}
