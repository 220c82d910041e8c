import { MAX_VELOCITY_COUNT, MAX_VELOCITY_SUM } from '@eventline/events';
import type { Enrichment } from '../domain/features';
import type { Transaction } from '../domain/transaction';

/** A generated transaction, what enrichment would have learned about it, and whether it was fraud. */
export interface Sample {
  transaction: Transaction;
  enrichment: Enrichment;
  fraud: boolean;
}

/** mulberry32: a small seeded generator, so a data set is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOME_COUNTRIES = ['FR', 'DE', 'ES', 'IT', 'NL', 'BE', 'PT', 'IE'];
const ABROAD = ['US', 'GB', 'CH', 'MA', 'TR', 'TH', 'BR', 'NG', 'RU', 'CN'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const HISTORY_DAYS = 90;

/**
 * Customers' card use over `days` days: each has a home country, a usual amount (log-normal), a
 * handful of regular merchants and a daytime rhythm, with legitimate surprises (travel abroad, a
 * large purchase, a new shop, a late night). Fraud comes in bursts on a card or on a fresh
 * account: several transactions within minutes, mostly at new merchants, often abroad, at night
 * or for large amounts; some look ordinary, so no model finds them all. Only transactions after
 * the first `warmUpDays` are returned, so most customers have a history by then.
 */
export function generateSamples(options: {
  seed: number;
  customers: number;
  days?: number;
  warmUpDays?: number;
}): Sample[] {
  const rand = random(options.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const days = options.days ?? 60;
  const warmUp = options.warmUpDays ?? 30;
  const start = Date.UTC(2026, 0, 1);
  const samples: Sample[] = [];

  for (let c = 0; c < options.customers; c += 1) {
    const customerId = `c-${options.seed}-${c}`;
    const home = pick(HOME_COUNTRIES);
    const usual = Math.exp(Math.log(3_000) + 0.8 * normal());
    const merchants = Array.from({ length: 3 + Math.floor(rand() * 10) }, (_, i) => `m-${c}-${i}`);
    const perDay = 0.3 + rand() * 3;
    // A fresh account appears part way through; fraud on it starts soon after it opens.
    const fresh = rand() < 0.1;
    const opensAt = fresh ? start + (warmUp + rand() * (days - warmUp)) * DAY : start;
    const events: Array<{ at: number; fraud: boolean; draw: () => Omit<Transaction, 'at'> }> = [];
    const tx = (fields: Partial<Transaction>) => ({
      transactionId: '',
      customerId,
      amount: 0,
      currency: 'EUR',
      merchant: pick(merchants),
      country: home,
      ...fields,
    });

    for (let t = opensAt; t < start + days * DAY;) {
      t += (-Math.log(1 - rand()) / perDay) * DAY;
      const hourOfDay = new Date(t).getUTCHours();
      // Most legitimate use is by day: nights are skipped nine times in ten.
      if ((hourOfDay < 6 || hourOfDay > 22) && rand() < 0.9) continue;
      events.push({
        at: t,
        fraud: false,
        draw: () => {
          const r = rand();
          const amount = Math.round(usual * Math.exp(0.5 * normal()) * (rand() < 0.03 ? 8 : 1));
          if (r < 0.04) return tx({ amount, country: pick(ABROAD), merchant: `m-trip-${rand()}` });
          if (r < 0.2) return tx({ amount, merchant: `m-new-${rand()}` });
          return tx({ amount });
        },
      });
    }

    const episodes = fresh ? (rand() < 0.4 ? 1 : 0) : rand() < 0.04 ? 1 : 0;
    for (let e = 0; e < episodes; e += 1) {
      const from = fresh
        ? opensAt + rand() * 2 * DAY
        : start + (warmUp + rand() * (days - warmUp)) * DAY;
      const abroad = rand() < 0.6;
      const country = abroad ? pick(ABROAD) : home;
      const burst = 1 + Math.floor(rand() * 6);
      const scale = rand() < 0.7 ? 3 + rand() * 20 : 1;
      for (let b = 0, at = from; b < burst; b += 1, at += rand() * 4 * MINUTE) {
        events.push({
          at,
          fraud: true,
          draw: () =>
            tx({
              amount: Math.round(usual * scale * Math.exp(0.4 * normal())),
              country,
              merchant: rand() < 0.85 ? `m-fraud-${rand()}` : pick(merchants),
            }),
        });
      }
    }

    events.sort((a, b) => a.at - b.at);
    const seen: Array<{ at: number; transaction: Transaction }> = [];
    for (const [i, event] of events.entries()) {
      const at = new Date(Math.round(event.at)).toISOString();
      const transaction = { ...event.draw(), transactionId: `${customerId}-${i}`, at };
      const now = event.at;
      const history = seen.filter((s) => s.at < now && s.at >= now - HISTORY_DAYS * DAY);
      const same = history.filter((s) => s.transaction.currency === transaction.currency);
      const window = (ms: number) => {
        const inside = [...seen, { at: now, transaction }].filter(
          (s) => s.at > now - ms && s.at <= now,
        );
        return {
          count: Math.min(inside.length, MAX_VELOCITY_COUNT),
          sum: Math.min(
            inside.reduce((sum, s) => sum + s.transaction.amount, 0),
            MAX_VELOCITY_SUM,
          ),
        };
      };
      const minute = window(MINUTE);
      const hour = window(HOUR);
      const enrichment: Enrichment = {
        accountAgeDays: (now - (seen[0]?.at ?? now)) / DAY,
        homeCountry: seen[0]?.transaction.country ?? transaction.country,
        history: {
          transactions: history.length,
          meanAmount: same.length
            ? Math.round(same.reduce((s, h) => s + h.transaction.amount, 0) / same.length)
            : 0,
          merchantSeen: history.some((s) => s.transaction.merchant === transaction.merchant),
          countrySeen: history.some((s) => s.transaction.country === transaction.country),
        },
        velocity: {
          count1m: minute.count,
          sum1m: minute.sum,
          count1h: hour.count,
          sum1h: hour.sum,
          source: 'redis',
        },
      };
      seen.push({ at: now, transaction });
      if (now >= start + warmUp * DAY)
        samples.push({ transaction, enrichment, fraud: event.fraud });
    }
  }
  return samples;
}
