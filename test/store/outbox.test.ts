import { randomUUID } from 'node:crypto';
import {
  commitWithOutbox,
  createPool,
  inSelfCommittingTransaction,
  migrate,
  OutboxRelay,
  PLATFORM_SCHEMA,
  platformMigrations,
  sweepOutbox,
  type OutboxClaim,
  type Pool,
} from '@eventline/store';
import {
  createTestDatabase,
  eventually,
  testServerEnv,
  type TestDatabase,
} from '@eventline/testing';

describe('the outbox on real Postgres', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase(testServerEnv().databaseUrl, 'outbox');
    pool = createPool(database.url, { max: 2 });
    await migrate(pool, PLATFORM_SCHEMA, platformMigrations);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const commit = (db: Pool, producer: string, events: unknown[], claim?: OutboxClaim) =>
    inSelfCommittingTransaction(db, (tx) => commitWithOutbox(tx, producer, events, {}, claim));

  it('given a transaction that ran for a while, when it commits its events, then their rows are as old as the commit, not as the transaction', async () => {
    const started = await inSelfCommittingTransaction(pool, async (tx) => {
      const { rows } = await tx.query<{ started: Date }>('SELECT now() AS started');
      await tx.query('SELECT pg_sleep(1.5)');
      await commitWithOutbox(tx, 'slow-writer', [{ id: 'e-1' }]);
      return rows[0]!.started;
    });

    const { rows } = await pool.query<{ enqueued_at: Date }>(
      `SELECT enqueued_at FROM eventline.outbox WHERE producer = 'slow-writer'`,
    );
    expect(rows[0]!.enqueued_at.getTime() - started.getTime()).toBeGreaterThanOrEqual(1_400);
  });

  it('given commits of the same keys racing from many connections, when a reader looks at any moment, then the rows of a key it sees are always all of that key up to the latest it sees: positions follow commit order', async () => {
    const writers = createPool(database.url, { max: 8 });
    // A slow insert widens the gap between drawing a position and committing it.
    await pool.query(`
      CREATE FUNCTION public.slow_insert() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN PERFORM pg_sleep(random() * 0.004); RETURN NEW; END $$;
      CREATE TRIGGER slow_insert AFTER INSERT ON eventline.outbox
        FOR EACH ROW EXECUTE FUNCTION public.slow_insert();`);
    try {
      const keys = ['a', 'b', 'c'];
      const snapshots: Array<Array<{ key: string; position: number }>> = [];
      let writing = true;
      const reader = (async () => {
        while (writing) {
          const { rows } = await pool.query<{ key: string; position: number }>(
            `SELECT partitionkey AS key, position FROM eventline.outbox WHERE producer = 'racer'`,
          );
          snapshots.push(rows);
        }
      })();
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < 240) {
            const n = next++;
            await commit(writers, 'racer', [{ id: `r-${n}`, partitionkey: keys[n % keys.length] }]);
          }
        }),
      );
      writing = false;
      await reader;

      const { rows: all } = await pool.query<{ key: string; position: number }>(
        `SELECT partitionkey AS key, position FROM eventline.outbox WHERE producer = 'racer'`,
      );
      const gaps: string[] = [];
      for (const snapshot of snapshots) {
        for (const key of keys) {
          const seen = snapshot.filter((r) => r.key === key).map((r) => r.position);
          const latest = Math.max(...seen, 0);
          const before = all.filter((r) => r.key === key && r.position <= latest).length;
          if (before !== seen.length)
            gaps.push(`${key}: ${seen.length} of ${before} up to ${latest}`);
        }
      }
      expect(snapshots.length).toBeGreaterThan(10);
      expect(gaps).toEqual([]);
    } finally {
      await pool.query(
        'DROP TRIGGER slow_insert ON eventline.outbox; DROP FUNCTION public.slow_insert()',
      );
      await writers.end();
    }
  }, 60_000);

  it('given rows committed under a claim whose holder then died, when sweeps run, then neither its rows nor later rows of their keys go out before its lease is over, and all of them go out in order after', async () => {
    const dead = { owner: 'crashed-replica', leaseMs: 1_500 };
    await commit(pool, 'crashy', [{ id: 'c-1', partitionkey: 'k' }], dead);
    await commit(pool, 'crashy', [{ id: 'c-2', partitionkey: 'k' }, { id: 'c-3' }]);
    const sent: string[] = [];
    const send = async (event: unknown) => {
      sent.push((event as { id: string }).id);
    };

    expect(await sweepOutbox(pool, { producer: 'crashy', olderThanMs: 0 }, send)).toBe(1);
    expect(sent).toEqual(['c-3']);
    await eventually(
      async () =>
        (await sweepOutbox(pool, { producer: 'crashy', olderThanMs: 0 }, send)) > 0 || undefined,
    );
    expect(sent).toEqual(['c-3', 'c-1', 'c-2']);
  });

  it('given two relays of one producer with their own pools and sweeps of every producer running at once, when they commit events of shared keys under load and sends fail now and then, then every row is sent exactly once, without waiting for any lease to end, and the rows of a key one at a time in commit order', async () => {
    const pools = [createPool(database.url, { max: 6 }), createPool(database.url, { max: 6 })];
    const sends = new Map<string, number>();
    const order = new Map<string, number[]>();
    const sending = new Set<string>();
    const overlaps: string[] = [];
    let attempts = 0;
    const send = async (event: unknown) => {
      const { id, partitionkey, n } = event as { id: string; partitionkey: string; n: number };
      // the sweeps of every producer also deliver the rows earlier tests left
      if (!id.startsWith('replicated-')) return;
      attempts += 1;
      if (attempts % 7 === 0) throw new Error('injected failure');
      if (sending.has(partitionkey)) overlaps.push(id);
      sending.add(partitionkey);
      await new Promise((resolve) => setTimeout(resolve, attempts % 3));
      sending.delete(partitionkey);
      sends.set(id, (sends.get(id) ?? 0) + 1);
      order.set(partitionkey, [...(order.get(partitionkey) ?? []), n]);
    };
    // No lease ends while the test runs: every row goes out through its live holder's retries
    // or a claim following its key's earlier row. A row freed only by a lease's end, or a key
    // taking turns between the relays a pause at a time (seconds per turn), runs out the time.
    const leaseMs = 10 * 60_000;
    const relays = pools.map(
      (db) =>
        new OutboxRelay({
          pool: db,
          producer: 'replicated',
          send,
          onError: () => undefined,
          leaseMs,
        }),
    );
    let sweeping = true;
    const sweeper = (async () => {
      while (sweeping) {
        const claim = { owner: randomUUID(), leaseMs };
        await sweepOutbox(pool, { olderThanMs: 0, claim }, send).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    try {
      const keys = ['x', 'y', 'z'];
      // each key's commits are numbered under a row lock, as a handler's state change orders them
      await pool.query(
        'CREATE TABLE public.counters (key text PRIMARY KEY, n int NOT NULL); INSERT INTO public.counters VALUES ' +
          keys.map((k) => `('${k}', 0)`).join(','),
      );
      const total = 600;
      let next = 0;
      await Promise.all(
        Array.from({ length: 10 }, async (_, worker) => {
          const relay = relays[worker % 2]!;
          const db = pools[worker % 2]!;
          while (next < total) {
            const i = next++;
            const key = keys[i % keys.length]!;
            const entries = await inSelfCommittingTransaction(db, async (tx) => {
              const { rows } = await tx.query<{ n: number }>(
                'UPDATE public.counters SET n = n + 1 WHERE key = $1 RETURNING n',
                [key],
              );
              const event = { id: `replicated-${i}`, partitionkey: key, n: rows[0]!.n };
              return commitWithOutbox(tx, 'replicated', [event], {}, relay.claim);
            });
            relay.publish(entries);
          }
        }),
      );
      await eventually(async () => (sends.size === total ? true : undefined), 60_000);
      sweeping = false;
      await sweeper;
      await Promise.all(relays.map((relay) => relay.stop()));

      expect([...sends].filter(([, times]) => times !== 1)).toEqual([]);
      expect(overlaps).toEqual([]);
      for (const key of keys) {
        const numbers = order.get(key) ?? [];
        expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
      }
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM eventline.outbox WHERE producer = 'replicated'`,
      );
      expect(rows[0]!.n).toBe(0);
    } finally {
      sweeping = false;
      await sweeper;
      await Promise.all(relays.map((relay) => relay.stop()));
      await Promise.all(pools.map((db) => db.end()));
    }
  }, 90_000);
});
