import type { DataOf, RegionInventoryReported } from '@eventline/events';

export type CentralReport = DataOf<typeof RegionInventoryReported>;

export interface ReportInput {
  region: string;
  /** the number the report gets: one more than the region's previous report */
  report: number;
  /** till purchases not yet in a report */
  purchases: Array<{ purchasedAt: string; items: Array<{ sku: string; quantity: number }> }>;
  /** stock levels that differ from what central was last told */
  changedStock: Array<{ sku: string; available: number }>;
  reportedAt: string;
}

const MINUTE_MS = 60_000;

const minuteOf = (at: string): string => {
  const ms = Date.parse(at);
  return new Date(ms - (ms % MINUTE_MS)).toISOString();
};

/**
 * What a region tells central: units sold per sku and UTC minute, summed over the purchases,
 * and the changed stock levels; nothing when there is neither, so a quiet region sends nothing.
 * Sorted, so the same input always makes the same report.
 */
export function decideReport(input: ReportInput): CentralReport | undefined {
  if (input.purchases.length === 0 && input.changedStock.length === 0) return undefined;
  const sold = new Map<string, { minute: string; sku: string; quantity: number }>();
  for (const purchase of input.purchases) {
    const minute = minuteOf(purchase.purchasedAt);
    for (const { sku, quantity } of purchase.items) {
      const key = `${minute} ${sku}`;
      const bucket = sold.get(key) ?? { minute, sku, quantity: 0 };
      bucket.quantity += quantity;
      sold.set(key, bucket);
    }
  }
  const sales = [...sold.values()].sort(
    (a, b) => a.minute.localeCompare(b.minute) || a.sku.localeCompare(b.sku),
  );
  const stock = [...input.changedStock].sort((a, b) => a.sku.localeCompare(b.sku));
  return {
    region: input.region,
    report: input.report,
    sales,
    stock,
    reportedAt: input.reportedAt,
  };
}
