import {
  catchUpProjection,
  followProjection,
  parkedEvents,
  projectionCheckpoint,
  replayParkedEvent,
  rebuildProjection,
  type Projection,
  type ProjectionFollower,
} from '@eventline/eventstore';
import type { Transaction } from '@eventline/store';
import type { AccountEvent } from './account';
import { createStoreFixture, type StoreFixture } from './store-fixture';

/**
 * Balances per account. applied_events has the global position as its key, so applying an
 * event twice fails loudly instead of silently double counting.
 */
function balancesProjection(
  options: {
    crashOnce?: number;
    /** applying `position` tells `reached`, then waits for `until` inside the transaction */
    holdAt?: { position: number; reached: () => void; until: Promise<void> };
  } = {},
): Projection<AccountEvent> {
  let crashAt = options.crashOnce;
  return {
    name: 'balances',
    async apply(tx: Transaction, event) {
      if (event.globalPosition === options.holdAt?.position) {
        options.holdAt.reached();
        await options.holdAt.until;
      }
      if (event.globalPosition === crashAt) {
        crashAt = undefined;
        // As a server restart would end it (admin_shutdown): the batch fails, nothing is parked.
        throw Object.assign(
          new Error(`simulated crash while applying position ${event.globalPosition}`),
          { code: '57P01' },
        );
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

/** Writers per account; each write is followed by `afterAppend`, as a handler's after-commit. */
async function appendDeposits(
  fx: StoreFixture,
  accounts: string[],
  perAccount: number,
  afterAppend: (writer: number) => void = () => undefined,
) {
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
        afterAppend(a);
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

  it('given followers in several writer processes, one crashing mid-batch, when writers append concurrently and catch up after each commit, then every event is applied exactly once and nothing is left behind', async () => {
    const errors: unknown[] = [];
    const onError = (err: unknown) => errors.push(err);
    // Four processes, as replicas of a handler would be; the first one's projection crashes on
    // the first event it applies, alone at first so that the crash surely happens.
    const followers: ProjectionFollower[] = [
      followProjection(fx.store, balancesProjection({ crashOnce: 1 }), onError, 7),
      ...[1, 2, 3].map(() => followProjection(fx.store, balancesProjection(), onError, 7)),
    ];
    await appendDeposits(fx, accounts.slice(0, 1), 1, () => followers[0]!.catchUp());
    await followers[0]!.settled();
    expect(await projectionCheckpoint(fx.store, 'balances')).toBe(0);

    await appendDeposits(fx, accounts, 40, (writer) =>
      followers[writer % followers.length]!.catchUp(),
    );
    await Promise.all(followers.map((f) => f.settled()));

    // No catch-up after the last commits: a follower that gave up to another holder of the
    // checkpoint is covered by that holder looking again, so the view is already complete.
    expect(await projectionCheckpoint(fx.store, 'balances')).toBe(await fx.store.headPosition());
    expect(errors.map((e) => (e as Error).message)).toEqual([
      'simulated crash while applying position 1',
    ]);
    const { rows } = await fx.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM applied_events',
    );
    expect(rows[0]!.n).toBe(await fx.store.headPosition());
    expect(await readModel(fx)).toEqual(await expectedView(fx, accounts));
  });

  it('given one process holding the checkpoint, when another commits an event and finds the checkpoint taken, then the holder applies that event once it lets go', async () => {
    const errors: unknown[] = [];
    let release!: () => void;
    const until = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const holding = new Promise<void>((resolve) => (reached = resolve));
    const next = (await fx.store.headPosition()) + 1;
    const holder = followProjection(
      fx.store,
      balancesProjection({ holdAt: { position: next, reached, until } }),
      (err) => errors.push(err),
    );
    const other = followProjection(fx.store, balancesProjection(), (err) => errors.push(err));

    await fx.store.append('acct-0', [{ type: 'MoneyDeposited', data: { amount: 5 } }]);
    holder.catchUp();
    await holding;
    // The holder has read its batch and waits inside its transaction; this commit comes after.
    await fx.store.append('acct-1', [{ type: 'MoneyDeposited', data: { amount: 7 } }]);
    other.catchUp();
    await other.settled();
    expect(await projectionCheckpoint(fx.store, 'balances')).toBe(next - 1);

    release();
    await holder.settled();

    expect(errors).toEqual([]);
    expect(await projectionCheckpoint(fx.store, 'balances')).toBe(next + 1);
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

  it('given appends followed by catch-ups, when a rebuild runs in the middle, then afterwards the view still equals the streams', async () => {
    const errors: unknown[] = [];
    const follower = followProjection(fx.store, balancesProjection(), (err) => errors.push(err), 5);
    const writing = appendDeposits(fx, accounts, 15, () => follower.catchUp());
    await new Promise((resolve) => setTimeout(resolve, 50));
    await rebuildProjection(fx.store, balancesProjection(), 20);
    await writing;
    await follower.settled();

    expect(errors).toEqual([]);
    expect(await projectionCheckpoint(fx.store, 'balances')).toBe(await fx.store.headPosition());
    expect(await readModel(fx)).toEqual(await expectedView(fx, accounts));
  });

  it('given an event the read model refuses, when followed, then it is parked with why, every later event is applied, and a replay after the fix applies it', async () => {
    const errors: unknown[] = [];
    const follower = followProjection(fx.store, balancesProjection(), (err) => errors.push(err));
    await catchUpProjection(fx.store, balancesProjection());
    await fx.pool.query(
      'ALTER TABLE balances ADD CONSTRAINT balance_cap CHECK (balance <= 1000000)',
    );
    const { firstPosition: poison } = await fx.store.append('acct-poison', [
      { type: 'MoneyDeposited', data: { amount: 2_000_000 } },
    ]);
    follower.catchUp();
    await appendDeposits(fx, accounts.slice(0, 2), 5, () => follower.catchUp());
    await follower.settled();

    expect(errors).toEqual([]);
    expect(await projectionCheckpoint(fx.store, 'balances')).toBe(await fx.store.headPosition());
    const parked = await parkedEvents(fx.store, 'balances');
    expect(parked).toEqual([
      expect.objectContaining({
        position: poison,
        streamId: 'acct-poison',
        type: 'MoneyDeposited',
      }),
    ]);
    expect(parked[0]!.error).toMatch(/violates check constraint "balance_cap"/);
    expect(await readModel(fx)).toEqual(await expectedView(fx, accounts));

    // The cause fixed: the read model takes the amount now.
    await fx.pool.query('ALTER TABLE balances DROP CONSTRAINT balance_cap');
    expect(await replayParkedEvent(fx.store, balancesProjection(), poison)).toBe(true);
    expect(await parkedEvents(fx.store, 'balances')).toEqual([]);
    expect(await replayParkedEvent(fx.store, balancesProjection(), poison)).toBe(false);
    expect(await readModel(fx)).toEqual(await expectedView(fx, [...accounts, 'acct-poison']));
  });
});
