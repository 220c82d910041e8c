import type { DataOf, TransactionEnriched } from '@eventline/events';
import type { Transaction } from './transaction';

export type Enrichment = DataOf<typeof TransactionEnriched>['enrichment'];

/** The model's inputs, in the order of its weights. */
export const FEATURES = [
  'logAmount',
  'amountVsMean',
  'newCustomer',
  'accountAge',
  'foreignCountry',
  'newCountry',
  'newMerchant',
  'perMinute',
  'perHour',
  'hourSum',
  'night',
] as const;

const log10p = (x: number) => Math.log10(1 + x);

/**
 * A transaction and what enrichment learned, as the numbers the model reads. The training
 * script computes its generated transactions' features with this same function.
 */
export function featureVector(transaction: Transaction, enrichment: Enrichment): number[] {
  const { history, velocity } = enrichment;
  const known = history.transactions > 0;
  const hour = new Date(transaction.at).getUTCHours();
  const values: Record<(typeof FEATURES)[number], number> = {
    logAmount: log10p(transaction.amount),
    // How many times the customer's usual amount, in orders of magnitude.
    amountVsMean: known ? log10p(transaction.amount) - log10p(history.meanAmount) : 0,
    newCustomer: known ? 0 : 1,
    accountAge: log10p(enrichment.accountAgeDays),
    foreignCountry: transaction.country === enrichment.homeCountry ? 0 : 1,
    newCountry: known && !history.countrySeen ? 1 : 0,
    newMerchant: history.merchantSeen ? 0 : 1,
    perMinute: Math.min(velocity.count1m, 20),
    perHour: log10p(velocity.count1h),
    hourSum: log10p(velocity.sum1h),
    night: hour < 5 ? 1 : 0,
  };
  return FEATURES.map((name) => values[name]);
}
