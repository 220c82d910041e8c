import { parsePlaceOrder, type LineItem } from './order';

const STORE = /^[A-Za-z0-9._-]{1,64}$/;
// Postgres text holds no NUL; no id needs a control character.
const CUSTOMER = /^[^\p{Cc}]{1,64}$/u;
export const PAYMENT_METHODS = ['card', 'cash'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export interface PosPurchase {
  storeId: string;
  customerId?: string;
  items: LineItem[];
  payment: { method: PaymentMethod };
}

/** Validates a POST /pos/purchases body; returns the purchase or why it is refused. */
export function parsePosPurchase(body: unknown): PosPurchase | { error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return {
      error:
        'body must be a JSON object like {"storeId":"s-1","items":[...],"payment":{"method":"card"}}',
    };
  const { storeId, customerId, items, payment, ...rest } = body as Record<string, unknown>;
  if (typeof storeId !== 'string' || !STORE.test(storeId))
    return { error: 'storeId must be 1-64 letters, digits, ".", "_" or "-"' };
  if (customerId !== undefined && (typeof customerId !== 'string' || !CUSTOMER.test(customerId)))
    return {
      error: 'customerId, when given, must be 1-64 characters, none of them a control character',
    };
  // The lines obey an order's bounds: the same inventory, the same limits.
  const lines = parsePlaceOrder({ customerId: 'pos', region: 'pos', items });
  if ('error' in lines) return lines;
  const method = (payment as Record<string, unknown> | null | undefined)?.method;
  if (
    typeof payment !== 'object' ||
    payment === null ||
    Array.isArray(payment) ||
    !PAYMENT_METHODS.includes(method as PaymentMethod) ||
    Object.keys(payment).length !== 1
  )
    return {
      error: `payment must be {"method": ${PAYMENT_METHODS.map((m) => `"${m}"`).join(' or ')}}`,
    };
  const unexpected = Object.keys(rest);
  if (unexpected.length > 0)
    return { error: `unexpected field ${unexpected.map((f) => `"${f}"`).join(', ')}` };
  return {
    storeId,
    ...(customerId === undefined ? {} : { customerId: customerId as string }),
    items: lines.items,
    payment: { method: method as PaymentMethod },
  };
}
