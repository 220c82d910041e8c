import { MAX_UNIT_PRICE } from '@eventline/events';
import { SKU } from './inventory';

/** Pure rules for placing an order and reading its history. */
export interface LineItem {
  sku: string;
  quantity: number;
  unitPrice: number;
}

export interface PlaceOrder {
  customerId: string;
  region: string;
  items: LineItem[];
}

/** What the saga and the order's history keep about an order. */
export interface OrderFacts {
  orderId: string;
  customerId: string;
  region: string;
  items: LineItem[];
  total: number;
}

export type OrderPlacedEvent = { type: 'OrderPlaced'; data: OrderFacts & { placedAt: string } };

/** Orders at or above this total (in cents) go to manual review. */
export const HIGH_VALUE_TOTAL = 100_00;

export function orderTotal(items: LineItem[]): number {
  return items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
}

const REGION = /^[a-z0-9-]{1,32}$/;

/**
 * The order a request asks for: two requests under one Idempotency-Key are the same order when
 * these agree, whatever the order of their JSON fields. Keys claimed before the kit kept them
 * were recorded with this shape (see migration 003), so it stays as it is.
 */
export function orderFingerprint(command: PlaceOrder): unknown[] {
  const items = command.items.map(({ sku, quantity, unitPrice }) => [sku, quantity, unitPrice]);
  return [command.customerId, command.region, items];
}

/** Validates a POST /orders body; returns the command or the reason it is refused. */
export function parsePlaceOrder(body: unknown): PlaceOrder | { error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { error: 'body must be a JSON object' };
  const { customerId, region, items } = body as Record<string, unknown>;
  if (typeof customerId !== 'string' || customerId.length === 0 || customerId.length > 64) {
    return { error: 'customerId must be a non-empty string of at most 64 characters' };
  }
  if (typeof region !== 'string' || !REGION.test(region))
    return { error: 'region must be lower-case letters, digits or "-"' };
  if (!Array.isArray(items) || items.length === 0 || items.length > 100)
    return { error: 'items must be a list of 1 to 100 items' };
  const parsed: LineItem[] = [];
  for (const [i, item] of items.entries()) {
    const { sku, quantity, unitPrice } = (item ?? {}) as Record<string, unknown>;
    if (typeof sku !== 'string' || !SKU.test(sku))
      return { error: `items[${i}].sku must be 1-64 letters, digits, ".", "_" or "-"` };
    if (!Number.isInteger(quantity) || (quantity as number) < 1 || (quantity as number) > 10_000) {
      return { error: `items[${i}].quantity must be an integer from 1 to 10000` };
    }
    if (
      !Number.isInteger(unitPrice) ||
      (unitPrice as number) < 0 ||
      (unitPrice as number) > MAX_UNIT_PRICE
    ) {
      return {
        error: `items[${i}].unitPrice must be an integer from 0 to ${MAX_UNIT_PRICE} (cents)`,
      };
    }
    parsed.push({ sku, quantity: quantity as number, unitPrice: unitPrice as number });
  }
  const skus = parsed.map((item) => item.sku);
  if (new Set(skus).size !== skus.length) return { error: 'items must not repeat a sku' };
  return { customerId, region, items: parsed };
}
