import type { DataOf, RegionInventoryReported } from '@eventline/events';
import type { Pool, Transaction } from '@eventline/store';

type Report = DataOf<typeof RegionInventoryReported>;

/**
 * Applies a region's report to the master inventory view, once: the report's row is inserted
 * first and the counts change only when it is new, so a report delivered twice (a redelivery,
 * a region sending it again after a link came back) counts once. Returns whether it applied.
 */
export async function applyRegionReport(tx: Transaction, report: Report): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO retail.central_reports (region, report, reported_at) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING`,
    [report.region, report.report, report.reportedAt],
  );
  if (!rowCount) return false;
  const { sales, stock } = report;
  await tx.query(
    `INSERT INTO retail.central_sales AS s (region, sku, minute, quantity)
     SELECT $1, * FROM unnest($2::text[], $3::timestamptz[], $4::bigint[])
     ON CONFLICT (sku, region, minute) DO UPDATE SET quantity = s.quantity + excluded.quantity`,
    [
      report.region,
      sales.map((s) => s.sku),
      sales.map((s) => s.minute),
      sales.map((s) => s.quantity),
    ],
  );
  await tx.query(
    `INSERT INTO retail.central_stock AS c (region, sku, available, report)
     SELECT $1, *, $4 FROM unnest($2::text[], $3::int[])
     ON CONFLICT (sku, region) DO UPDATE SET available = excluded.available, report = excluded.report
      WHERE c.report < excluded.report`,
    [report.region, stock.map((s) => s.sku), stock.map((s) => s.available), report.report],
  );
  return true;
}

export interface RegionInventory {
  /** the stock level as of the region's newest report that named the sku */
  available: number | null;
  /** units sold, over every reported minute */
  sold: number;
  /** the last minute the region sold the sku in */
  lastSaleMinute: string | null;
}

export interface CentralInventory {
  sku: string;
  regions: Record<string, RegionInventory>;
  total: { available: number; sold: number };
}

const AT = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The master view of one sku: each region's stock and sales; undefined when no region named it. */
export async function centralInventory(
  pool: Pool,
  sku: string,
): Promise<CentralInventory | undefined> {
  const { rows } = await pool.query<{
    region: string;
    available: number | null;
    sold: number;
    last_sale_minute: string | null;
  }>(
    `SELECT region, st.available, COALESCE(sa.sold, 0)::float8 AS sold, sa.last_sale_minute
       FROM (SELECT region, available FROM retail.central_stock WHERE sku = $1) AS st
       FULL JOIN (SELECT region, sum(quantity) AS sold, ${AT('max(minute)')} AS last_sale_minute
                    FROM retail.central_sales WHERE sku = $1 GROUP BY region) AS sa USING (region)
      ORDER BY region`,
    [sku],
  );
  if (rows.length === 0) return undefined;
  const regions: Record<string, RegionInventory> = {};
  const total = { available: 0, sold: 0 };
  for (const row of rows) {
    regions[row.region] = {
      available: row.available,
      sold: row.sold,
      lastSaleMinute: row.last_sale_minute,
    };
    total.available += row.available ?? 0;
    total.sold += row.sold;
  }
  return { sku, regions, total };
}
