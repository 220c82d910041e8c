import { ISO_COUNTRIES, ISO_CURRENCIES, MAX_ORDER_TOTAL } from '@eventline/events';

/** A card transaction as a client submits it. */
export interface Transaction {
  transactionId: string;
  customerId: string;
  /** integer minor units of `currency` */
  amount: number;
  currency: string;
  merchant: string;
  country: string;
  /** when it happened, ISO 8601 in UTC */
  at: string;
}

const TRANSACTION_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** A transaction may be stamped this far ahead of our clock (the client's may run fast). */
export const FUTURE_SKEW_MS = 5 * 60_000;

/** Validates a POST /transactions body; returns the transaction or the reason it is refused. */
export function parseTransaction(body: unknown, now: Date): Transaction | { error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { error: 'body must be a JSON object' };
  const { transactionId, customerId, amount, currency, merchant, country, at } = body as Record<
    string,
    unknown
  >;
  if (typeof transactionId !== 'string' || !TRANSACTION_ID.test(transactionId))
    return { error: 'transactionId must be 1-64 letters, digits, "_" or "-"' };
  if (typeof customerId !== 'string' || customerId.length === 0 || customerId.length > 64)
    return { error: 'customerId must be a non-empty string of at most 64 characters' };
  if (!Number.isInteger(amount) || (amount as number) < 0 || (amount as number) > MAX_ORDER_TOTAL)
    return {
      error: `amount must be an integer from 0 to ${MAX_ORDER_TOTAL} (minor units of the currency)`,
    };
  if (typeof currency !== 'string' || !ISO_CURRENCIES.has(currency))
    return { error: 'currency must be an ISO 4217 code such as EUR' };
  if (typeof merchant !== 'string' || merchant.length === 0 || merchant.length > 128)
    return { error: 'merchant must be a non-empty string of at most 128 characters' };
  if (typeof country !== 'string' || !ISO_COUNTRIES.has(country))
    return { error: 'country must be an ISO 3166-1 alpha-2 code such as FR' };
  const when = typeof at === 'string' && ISO_INSTANT.test(at) ? new Date(at) : undefined;
  if (!when || Number.isNaN(when.getTime()))
    return { error: 'at must be an ISO 8601 date-time with a time zone' };
  if (when.getTime() > now.getTime() + FUTURE_SKEW_MS)
    return { error: `at must not be more than ${FUTURE_SKEW_MS / 60_000} minutes in the future` };
  return {
    transactionId,
    customerId,
    amount: amount as number,
    currency,
    merchant,
    country,
    at: when.toISOString(),
  };
}

/** Two submissions of one transaction id are the same transaction when these agree. */
export function sameTransaction(a: Transaction, b: Transaction): boolean {
  return (
    a.customerId === b.customerId &&
    a.amount === b.amount &&
    a.currency === b.currency &&
    a.merchant === b.merchant &&
    a.country === b.country &&
    new Date(a.at).getTime() === new Date(b.at).getTime()
  );
}
