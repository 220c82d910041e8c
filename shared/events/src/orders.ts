import { OrderPlaced } from './generated/catalog';

/**
 * Money is integer minor units (cents). An item's price is at most 10,000,000.00 and an order has
 * at most 100 items of at most 10,000 each, so a total stays at most 10^15: exact in a JSON
 * number (below 2^53 - 1) and within Postgres's bigint, which every money column is. The bounds
 * are the schema's (shared/events/schemas/dev.eventline.orders.placed.json).
 */
export const MAX_UNIT_PRICE =
  OrderPlaced.schema.properties.items.items.properties.unitPrice.maximum;
export const MAX_ORDER_TOTAL = OrderPlaced.schema.properties.total.maximum;
