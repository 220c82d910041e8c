/** Stock of one sku: what can be sold, what is held for orders, what has left the warehouse. */
export interface StockLevel {
  sku: string;
  available: number;
  reserved: number;
  shipped: number;
}

/**
 * Whether every item can be reserved; all or nothing. The reason names the first sku short of
 * stock, so a cancelled order says why.
 */
export function reservationShortfall(
  stock: Map<string, StockLevel>,
  items: Array<{ sku: string; quantity: number }>,
): string | undefined {
  for (const item of items) {
    const level = stock.get(item.sku);
    if (!level) return `unknown sku ${item.sku}`;
    if (level.available < item.quantity)
      return `insufficient stock for ${item.sku}: ${level.available} available, ${item.quantity} requested`;
  }
  return undefined;
}
