import type { Enrichment } from './features';
import type { Transaction } from './transaction';

export interface RuleSettings {
  blockedCountries: ReadonlySet<string>;
  maxPerMinute: number;
}

export interface RuleHit {
  rule: string;
  effect: 'review' | 'decline';
}

/** Rules that hold whatever the model says: what the business refuses or wants a human to see. */
export function firedRules(
  transaction: Transaction,
  enrichment: Enrichment,
  settings: RuleSettings,
): RuleHit[] {
  const hits: RuleHit[] = [];
  if (settings.blockedCountries.has(transaction.country))
    hits.push({ rule: 'blocked-country', effect: 'decline' });
  if (enrichment.velocity.count1m > settings.maxPerMinute)
    hits.push({ rule: 'too-many-per-minute', effect: 'review' });
  return hits;
}
