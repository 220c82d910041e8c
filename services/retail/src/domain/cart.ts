import { MAX_UNIT_PRICE } from '@eventline/events';

/** A cart's id, as it appears in the path and in the cart's events. */
export const CART_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const SKU = /^[A-Za-z0-9._-]{1,64}$/;
const REGION = /^[a-z0-9-]{1,32}$/;
// Postgres text holds no NUL; no id needs a control character.
export const CUSTOMER_ID = /^[^\p{Cc}]{1,64}$/u;
/** A cart's bounds are an order's: checkout turns it into one. */
export const MAX_LINES = 100;
export const MAX_QUANTITY = 10_000;

export interface CartLine {
  sku: string;
  quantity: number;
  unitPrice: number;
}

/** A cart as its Redis session holds it; `version` counts its changes, 0 before the first. */
export interface Cart {
  cartId: string;
  items: CartLine[];
  version: number;
  updatedAt: string;
}

export type AddItem = { cartId: string } & CartLine;
export type Checkout = { customerId: string; region: string };

export const emptyCart = (cartId: string): Cart => ({
  cartId,
  items: [],
  version: 0,
  updatedAt: new Date(0).toISOString(),
});

export function cartTotal(items: CartLine[]): number {
  return items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
}

const isObject = (body: unknown): body is Record<string, unknown> =>
  typeof body === 'object' && body !== null && !Array.isArray(body);

function unexpectedFields(body: Record<string, unknown>, known: string[]): string | undefined {
  const unexpected = Object.keys(body).filter((field) => !known.includes(field));
  return unexpected.length > 0
    ? `unexpected field ${unexpected.map((f) => `"${f}"`).join(', ')}`
    : undefined;
}

export function parseCartId(cartId: string): string | { error: string } {
  return CART_ID.test(cartId)
    ? cartId
    : { error: 'cartId must be 1-64 letters, digits, "_" or "-"' };
}

export function parseSku(sku: string): string | { error: string } {
  return SKU.test(sku) ? sku : { error: 'sku must be 1-64 letters, digits, ".", "_" or "-"' };
}

/** Validates a POST /carts/:cartId/items request; returns the command or why it is refused. */
export function parseAddItem(cartId: string, body: unknown): AddItem | { error: string } {
  const id = parseCartId(cartId);
  if (typeof id !== 'string') return id;
  if (!isObject(body))
    return {
      error: 'body must be a JSON object like {"sku":"widget","quantity":1,"unitPrice":1500}',
    };
  const { sku, quantity, unitPrice } = body;
  if (typeof sku !== 'string' || !SKU.test(sku))
    return { error: 'sku must be 1-64 letters, digits, ".", "_" or "-"' };
  if (
    !Number.isInteger(quantity) ||
    (quantity as number) < 1 ||
    (quantity as number) > MAX_QUANTITY
  )
    return { error: `quantity must be an integer from 1 to ${MAX_QUANTITY}` };
  if (
    !Number.isInteger(unitPrice) ||
    (unitPrice as number) < 0 ||
    (unitPrice as number) > MAX_UNIT_PRICE
  )
    return { error: `unitPrice must be an integer from 0 to ${MAX_UNIT_PRICE} (cents)` };
  const unexpected = unexpectedFields(body, ['sku', 'quantity', 'unitPrice']);
  if (unexpected) return { error: unexpected };
  return { cartId: id, sku, quantity: quantity as number, unitPrice: unitPrice as number };
}

/** Validates a POST /carts/:cartId/checkout body: who orders, and where it ships. */
export function parseCheckout(body: unknown): Checkout | { error: string } {
  if (!isObject(body))
    return { error: 'body must be a JSON object like {"customerId":"c-1","region":"eu-west"}' };
  const { customerId, region } = body;
  if (typeof customerId !== 'string' || !CUSTOMER_ID.test(customerId))
    return { error: 'customerId must be 1-64 characters, none of them a control character' };
  if (typeof region !== 'string' || !REGION.test(region))
    return { error: 'region must be 1-32 lower-case letters, digits or "-"' };
  const unexpected = unexpectedFields(body, ['customerId', 'region']);
  if (unexpected) return { error: unexpected };
  return { customerId, region };
}
