import { EventStore } from '@eventline/eventstore';
import { defineJob } from '@eventline/kit';
import { ordersConfig } from '../../config';

/**
 * The event store's retention: deletes order streams closed (the order reached a final status)
 * longer ago than ORDERS_STREAM_RETENTION_DAYS, with their events and snapshots. The order view
 * keeps its rows; a rebuild after this replays only the orders still kept.
 */
export const orderStreamRetention = defineJob({
  name: 'order-stream-retention',
  async run({ pool }) {
    const olderThanMs = ordersConfig().ORDERS_STREAM_RETENTION_DAYS * 24 * 60 * 60 * 1000;
    return { pruned: await new EventStore(pool).pruneClosedStreams({ olderThanMs }) };
  },
});
