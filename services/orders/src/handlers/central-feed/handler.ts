import { RegionInventoryReported } from '@eventline/events';
import { defineJob, outgoing } from '@eventline/kit';
import { ordersConfig } from '../../config';
import { decideReport } from './decider';

/** Changed stock levels per report: the schema's bound; the next report takes the rest. */
const STOCK_PER_REPORT = 10_000;

/**
 * The region's aggregated feed to the central store, on the PingSource's ticks: the till
 * purchases no report has counted yet, summed per sku and minute, and the stock levels that
 * changed since the last report, as one numbered RegionInventoryReported. The purchases are
 * marked with the report's number, the stock central was told is recorded, and the event goes
 * to the outbox, all in one transaction: a report is made once and sent at least once, and
 * central applies each number once. The broker forwards the type to central (a KafkaSink).
 */
export const centralFeed = defineJob({
  name: 'central-feed',
  emits: [RegionInventoryReported],
  async run({ transact }) {
    const { EVENTLINE_REGION: region, CENTRAL_FEED_BATCH: batch } = ordersConfig();
    let reports = 0;
    let purchases = 0;
    for (;;) {
      const counted = await transact(async (tx) => {
        // Report numbers follow each other without gaps: one report is made at a time.
        await tx.query('LOCK TABLE orders.central_reports IN EXCLUSIVE MODE');
        const { rows: last } = await tx.query<{ report: string | null }>(
          'SELECT max(report) AS report FROM orders.central_reports',
        );
        const report = Number(last[0]?.report ?? 0) + 1;
        const { rows: sold } = await tx.query<{
          purchase_id: string;
          purchased_at: Date;
          items: Array<{ sku: string; quantity: number }>;
        }>(
          `SELECT purchase_id, purchased_at, items FROM orders.pos_purchases
            WHERE reported_in IS NULL ORDER BY purchase_id LIMIT $1 FOR UPDATE`,
          [batch],
        );
        const { rows: changed } = await tx.query<{ sku: string; available: number }>(
          `SELECT i.sku, i.available FROM orders.inventory AS i
             LEFT JOIN orders.central_stock AS c USING (sku)
            WHERE c.available IS DISTINCT FROM i.available
            ORDER BY i.sku LIMIT $1`,
          [STOCK_PER_REPORT],
        );
        const data = decideReport({
          region,
          report,
          purchases: sold.map((p) => ({
            purchasedAt: p.purchased_at.toISOString(),
            items: p.items,
          })),
          changedStock: changed,
          reportedAt: new Date().toISOString(),
        });
        if (!data) return { result: undefined };
        await tx.query(
          'UPDATE orders.pos_purchases SET reported_in = $1 WHERE purchase_id = ANY($2)',
          [report, sold.map((p) => p.purchase_id)],
        );
        await tx.query(
          `INSERT INTO orders.central_stock (sku, available)
           SELECT * FROM unnest($1::text[], $2::int[])
           ON CONFLICT (sku) DO UPDATE SET available = excluded.available`,
          [changed.map((s) => s.sku), changed.map((s) => s.available)],
        );
        await tx.query('INSERT INTO orders.central_reports (report, purchases) VALUES ($1, $2)', [
          report,
          sold.length,
        ]);
        // The id is the report's: a report sent twice is one event to every consumer.
        const event = outgoing(RegionInventoryReported, data, {
          id: `${region}-${report}`,
          subject: region,
          partitionkey: region,
        });
        const more = sold.length === batch || changed.length === STOCK_PER_REPORT;
        return { result: { purchases: sold.length, more }, emit: [event] };
      });
      if (!counted) break;
      reports++;
      purchases += counted.purchases;
      if (!counted.more) break;
    }
    return { reports, purchases };
  },
});
