import Redis from 'ioredis';
import { eventually, testServerEnv } from '@eventline/testing';
import {
  customerTransactions,
  DECIDED,
  reaches,
  review,
  startFraudWorld,
  submit,
  type FraudWorld,
} from './fraud-system';

const servers = testServerEnv();

describe('reviews time out and redeliveries change nothing, on real Kafka, Postgres and Redis', () => {
  let world: FraudWorld;
  let redis: Redis;

  beforeAll(async () => {
    // Half the deliveries come twice; a review unanswered for a second is declined.
    world = await startFraudWorld({
      env: { FRAUD_REVIEW_TIMEOUT_MS: '1000' },
      faults: { duplicateDeliveries: 0.5 },
    });
    redis = new Redis(servers.redisUrl);
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
    redis?.disconnect();
  });

  it('given a review unanswered past its deadline and every process gone, when the job ticks, then it is declined by timeout; a reviewer is told so (409) before and after', async () => {
    const next = customerTransactions('c-late');
    const first = next();
    await submit(world, first);
    await reaches(world, first.transactionId, DECIDED);
    const unsure = next({ amount: 9_000, merchant: 'furniture' });
    await submit(world, unsure);
    const waiting = await reaches(world, unsure.transactionId, ['in-review']);
    const dueAt = waiting.review!.dueAt;
    await eventually(async () => (Date.now() > Date.parse(dueAt) + 50 ? true : undefined));

    const tooLate = await review(world, unsure.transactionId, { approve: true });
    expect(tooLate.status).toBe(409);
    expect(((await tooLate.json()) as { error: string }).error).toBe(
      `transaction ${unsure.transactionId}'s review timed out at ${dueAt}: it is declined`,
    );

    // Nothing but Postgres remembers the deadline: every handler process is killed.
    for (const handler of world.system.processes.values())
      if (handler.running) await handler.kill('SIGKILL');
    await world.system.pingSources.fire('review-timeouts');
    const declined = await reaches(world, unsure.transactionId, ['declined']);
    expect(declined).toMatchObject({ decision: 'review', review: { dueAt, by: 'timeout' } });

    const after = await review(world, unsure.transactionId, { approve: true });
    expect(after.status).toBe(409);
    expect(((await after.json()) as { error: string }).error).toContain(
      `review timed out at ${declined.review!.at}: it was declined`,
    );

    // A second tick finds nothing left to decline.
    await world.system.pingSources.fire('review-timeouts');
    const reviewed = await world.pool.query(
      'SELECT reviewed_by, reviewed_at FROM fraud.transactions WHERE transaction_id = $1',
      [unsure.transactionId],
    );
    expect(reviewed.rows).toEqual([
      { reviewed_by: 'timeout', reviewed_at: new Date(declined.review!.at!) },
    ]);
  }, 90_000);

  it('given a burst of one customer, submitted at once and delivered twice half the time, when decided, then each is counted once in the velocity window and decided once', async () => {
    const next = customerTransactions('c-burst');
    const burst = Array.from({ length: 12 }, (_, i) =>
      next({
        amount: 1_000 + i,
        at: new Date(Date.UTC(2026, 0, 6, 12, 0, i)).toISOString(),
      }),
    );
    const answers = await Promise.all(burst.map((t) => submit(world, t)));
    expect(answers.map((a) => a.status)).toEqual(burst.map(() => 202));
    for (const t of burst) await reaches(world, t.transactionId, DECIDED);

    const key = `${world.redisPrefix}fraud:velocity:c-burst`;
    expect((await redis.zrange(key, 0, -1)).sort()).toEqual(
      burst.map((t) => `${t.transactionId}|${t.amount}`).sort(),
    );
    const { rows } = await world.pool.query<{ id: string; count1m: number; count1h: number }>(
      `SELECT transaction_id AS id, (enrichment->'velocity'->>'count1m')::int AS "count1m",
              (enrichment->'velocity'->>'count1h')::int AS "count1h"
         FROM fraud.transactions WHERE customer_id = 'c-burst' ORDER BY at`,
    );
    // Each sees itself and at most the earlier ones of the burst that were enriched before it.
    rows.forEach((row, rank) => {
      expect(row.count1m).toBeGreaterThanOrEqual(1);
      expect(row.count1m).toBeLessThanOrEqual(rank + 1);
      expect(row.count1h).toBe(row.count1m);
    });

    await eventually(async () =>
      burst.every((t) =>
        world.decisions.received.some((r) => r.body.includes(`"${t.transactionId}"`)),
      )
        ? true
        : undefined,
    );
    for (const t of burst) {
      const ids = world.decisions.received
        .filter((r) => r.body.includes(`"${t.transactionId}"`))
        .map((r) => r.headers['ce-id']);
      expect(new Set(ids).size).toBe(1);
    }
  }, 90_000);
});
