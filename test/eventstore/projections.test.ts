import {
  catchUpProjection,
  projectionCheckpoint,
  rebuildProjection,
  runProjection,
  type Projection,
  type ProjectionRunner,
} from '@eventline/eventstore';
import type { Transaction } from '@eventline/store';
import { eventually } from '@eventline/testing';
import type { AccountEvent } from './account';
import { createStoreFixture, type StoreFixture } from './store-fixture';

/**
 * Balances per account. applied_events has the global position as its key, so applying an
 * event twice fails loudly instead of silently double counting.
 */
function balancesProjection(options: { crashOnce?: number } = {}): Projection<AccountEvent> {
  let crashAt = options.crashOnce;
  return {
    name: 'balances',
    async apply(tx: Transaction, event) {
      if (event.globalPosition === crashAt) {
        crashAt = undefined;
        throw new Error(`simulated crash while applying position ${event.globalPosition}`);
      }
      await tx.query('INSERT INTO applied_events (global_position) VALUES ($1)', [
        event.globalPosition,
      ]);
      const delta =
        event.type === 'MoneyDeposited'
          ? event.data.amount
          : event.type === 'MoneyWithdrawn'
            ? -event.data.amount
            : 0;
      await tx.query(
        `INSERT INTO balances (account, balance, events) VALUES ($1, $2, 1)
         ON CONFLICT (account) DO UPDATE
           SET balance = balances.balance + $2, events = balances.events + 1`,
        [event.streamId, delta],
      );
    },
    async reset(tx) {
      await tx.query('TRUNCATE balances, applied_events');
    },
  };
}

async function readModel(fx: StoreFixture): Promise<unknown[]> {
  const { rows } = await fx.pool.query(
    'SELECT account, balance::int, events FROM balances ORDER BY account',
  );
  return rows;
}

/** The view computed straight from the streams, to compare read models against. */
async function expectedView(fx: StoreFixture, accounts: string[]): Promise<unknown[]> {
  const view = [];
  for (const account of [...accounts].sort()) {
    const events = await fx.store.readStream<AccountEvent>(account);
    if (events.length === 0) continue;
    const balance = events.reduce(
      (sum, e) =>
        sum +
        (e.type === 'MoneyDeposited'
          ? e.data.amount
          : e.type === 'MoneyWithdrawn'
            ? -e.data.amount
            : 0),
      0,
    );
    view.push({ account, balance, events: events.length });
  }
  return view;
}

async function appendDeposits(fx: StoreFixture, accounts: string[], perAccount: number) {
  await Promise.all(
    accounts.map(async (account, a) => {
      for (let i = 0; i < perAccount; i++) {
        const events: AccountEvent[] =
          i % 5 === 4
            ? [{ type: 'MoneyWithdrawn', data: { amount: 1 } }]
            : [
                { type: 'MoneyDeposited', data: { amount: a + i } },
                { type: 'MoneyDeposited', data: { amount: 1 } },
              ];
        await fx.store.append(account, events);
      }
    }),
  );
}

describe('projections from the global position, on real Postgres', () => {
  let fx: StoreFixture;
  const accounts = Array.from({ length: 8 }, (_, i) => `acct-${i}`);

  beforeAll(async () => {
    fx = await createStoreFixture(30);
    await fx.pool.query(`
      CREATE TABLE balances (account text PRIMARY KEY, balance bigint NOT NULL, events int NOT NULL);
      CREATE TABLE applied_events (global_position bigint PRIMARY KEY);
    `);
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('given a runner crashing mid-batch, a restart and then two replicas, when writers append concurrently, then every event is applied exactly once', async () => {
    const errors: unknown[] = [];
    const onError = (err: unknown) => errors.push(err);
    const options = { batchSize: 7, pollIntervalMs: 10, onError };
    const first = runProjection(fx.store, balancesProjection({ crashOnce: 40 }), options);

    const writing = appendDeposits(fx, accounts, 40);
    await eventually(async () =>
      (await projectionCheckpoint(fx.store, 'balances')) > 60 ? true : undefined,
    );
    // Restart while appends continue, now as two replicas of the same projection.
    await first.stop();
    const runners: ProjectionRunner[] = [
      runProjection(fx.store, balancesProjection(), options),
      runProjection(fx.store, balancesProjection(), options),
    ];
    await writing;

    const head = await fx.store.headPosition();
    await eventually(
      async () => ((await projectionCheckpoint(fx.store, 'balances')) === head ? true : undefined),
      20_000,
    );
    await Promise.all(runners.map((r) => r.stop()));

    expect(errors.map((e) => (e as Error).message)).toEqual([
      'simulated crash while applying position 40',
    ]);
    const { rows } = await fx.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM applied_events',
    );
    expect(rows[0]!.n).toBe(head);
    expect(await readModel(fx)).toEqual(await expectedView(fx, accounts));
  });

  it('given a live read model, when rebuilt by replay, then the result equals the live view', async () => {
    await catchUpProjection(fx.store, balancesProjection());
    const live = await readModel(fx);
    expect(live).toHaveLength(accounts.length);
    // Damage the read model, so only a real replay can restore it.
    await fx.pool.query(
      `UPDATE balances SET balance = -1; DELETE FROM balances WHERE account = 'acct-3'`,
    );

    const rebuilt = await rebuildProjection(fx.store, balancesProjection(), 50);

    expect(rebuilt).toEqual({
      events: await fx.store.headPosition(),
      position: await fx.store.headPosition(),
    });
    expect(await readModel(fx)).toEqual(live);
  });

  it('given appends and a live runner, when a rebuild runs in the middle, then afterwards the view still equals the streams', async () => {
    const errors: unknown[] = [];
    const runner = runProjection(fx.store, balancesProjection(), {
      batchSize: 5,
      pollIntervalMs: 10,
      onError: (err) => errors.push(err),
    });
    const writing = appendDeposits(fx, accounts, 15);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await rebuildProjection(fx.store, balancesProjection(), 20);
    await writing;
    const head = await fx.store.headPosition();
    await eventually(async () =>
      (await projectionCheckpoint(fx.store, 'balances')) === head ? true : undefined,
    );
    await runner.stop();

    expect(errors).toEqual([]);
    expect(await readModel(fx)).toEqual(await expectedView(fx, accounts));
  });
});
