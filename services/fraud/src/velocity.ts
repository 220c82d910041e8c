import { redisScript, type Cache } from '@eventline/cache';
import { MAX_VELOCITY_COUNT, MAX_VELOCITY_SUM } from '@eventline/events';
import type { Transaction as Tx } from '@eventline/store';
import type { Transaction } from './domain/transaction';
import type { Enrichment } from './domain/features';

export type Velocity = Enrichment['velocity'];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export const velocityKey = (customerId: string) => `fraud:velocity:${customerId}`;

/**
 * One customer's transactions of the last hour are a sorted set: member `<transactionId>|<amount>`
 * scored by the transaction's time. ZADD NX makes a redelivered transaction a no-op, and the
 * windows are counted by the transaction's own time, so a redelivery answers as the first
 * delivery did; the script runs atomically, so concurrent transactions of one customer each see
 * the others or not, never half of one. Members older than an hour before the newest transaction
 * go, and at most MAX_VELOCITY_COUNT stay, which bounds the work a script does.
 */
const RECORD_AND_COUNT = redisScript(`
local key, member, at = KEYS[1], ARGV[1], tonumber(ARGV[2])
local hour, minute, keep, cap = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('ZADD', key, 'NX', at, member)
redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (at - hour))
redis.call('ZREMRANGEBYRANK', key, 0, -keep - 1)
redis.call('PEXPIRE', key, 2 * hour)
local function window(length)
  local members = redis.call('ZRANGEBYSCORE', key, '(' .. (at - length), at)
  local sum = 0
  for _, m in ipairs(members) do
    sum = sum + tonumber(string.match(m, '|(%d+)$'))
    if sum > cap then sum = cap end
  end
  return { #members, sum }
end
local m, h = window(minute), window(hour)
return { m[1], m[2], h[1], h[2] }
`);

/** Records the transaction in the customer's window and counts it with the others there. */
export async function recordVelocity(
  cache: Cache,
  transaction: Transaction,
): Promise<Velocity | undefined> {
  const answer = await cache.script(
    RECORD_AND_COUNT,
    [velocityKey(transaction.customerId)],
    [
      `${transaction.transactionId}|${transaction.amount}`,
      new Date(transaction.at).getTime(),
      HOUR_MS,
      MINUTE_MS,
      MAX_VELOCITY_COUNT,
      MAX_VELOCITY_SUM,
    ],
  );
  if (!Array.isArray(answer)) return undefined;
  const [count1m, sum1m, count1h, sum1h] = answer.map(Number) as [number, number, number, number];
  return { count1m, sum1m, count1h, sum1h, source: 'redis' };
}

/**
 * The same windows counted from the transactions Postgres holds, when Redis cannot answer:
 * slower, never wrong. It counts every submitted transaction, enriched or not yet.
 */
export async function velocityFromDatabase(tx: Tx, transaction: Transaction): Promise<Velocity> {
  const { rows } = await tx.query<{
    count1m: number;
    sum1m: string;
    count1h: number;
    sum1h: string;
  }>(
    `SELECT count(*) FILTER (WHERE at > $2::timestamptz - interval '1 minute')::int AS "count1m",
            COALESCE(sum(amount) FILTER (WHERE at > $2::timestamptz - interval '1 minute'), 0)::text AS "sum1m",
            count(*)::int AS "count1h", COALESCE(sum(amount), 0)::text AS "sum1h"
       FROM fraud.transactions
      WHERE customer_id = $1 AND at <= $2 AND at > $2::timestamptz - interval '1 hour'`,
    [transaction.customerId, transaction.at],
  );
  const row = rows[0]!;
  const count = (n: number) => Math.min(n, MAX_VELOCITY_COUNT);
  const sum = (s: string) => Number(BigInt(s) > BigInt(MAX_VELOCITY_SUM) ? MAX_VELOCITY_SUM : s);
  return {
    count1m: count(row.count1m),
    sum1m: sum(row.sum1m),
    count1h: count(row.count1h),
    sum1h: sum(row.sum1h),
    source: 'postgres',
  };
}
