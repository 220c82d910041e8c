import {
  handleCommand,
  loadAggregate,
  readSnapshot,
  WrongExpectedVersionError,
  type Decider,
} from '@eventline/eventstore';
import { inTransaction } from '@eventline/store';
import {
  AccountRuleError,
  accountDecider,
  type AccountCommand,
  type AccountEvent,
  type AccountState,
} from './account';
import { createStoreFixture, type StoreFixture } from './store-fixture';

const snapshotting: Decider<AccountState, AccountCommand, AccountEvent> = {
  ...accountDecider,
  snapshots: { every: 10 },
};

describe('aggregates, snapshots and handleCommand, on real Postgres', () => {
  let fx: StoreFixture;

  beforeAll(async () => {
    fx = await createStoreFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('given an opened account, when commands are handled, then events append at the loaded version and state follows', async () => {
    await handleCommand(fx.store, 'account-1', accountDecider, {
      type: 'OpenAccount',
      owner: 'ada',
    });
    await handleCommand(fx.store, 'account-1', accountDecider, { type: 'Deposit', amount: 10 });
    const result = await handleCommand(fx.store, 'account-1', accountDecider, {
      type: 'Withdraw',
      amount: 4,
    });

    expect(result.state).toMatchObject({ status: 'open', balance: 6, transactions: 2 });
    expect(result.version).toBe(3);
    expect((await fx.store.readStream('account-1')).map((e) => e.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
      'MoneyWithdrawn',
    ]);
  });

  it('given a command the decider rejects, when handled, then the error surfaces and nothing is appended', async () => {
    await expect(
      handleCommand(fx.store, 'account-never', accountDecider, { type: 'Deposit', amount: 1 }),
    ).rejects.toBeInstanceOf(AccountRuleError);
    expect(await fx.store.streamVersion('account-never')).toBe(0);
  });

  it('given a command deciding nothing, when handled, then nothing is appended', async () => {
    await handleCommand(fx.store, 'account-poor', accountDecider, {
      type: 'OpenAccount',
      owner: 'ada',
    });
    const result = await handleCommand(fx.store, 'account-poor', accountDecider, {
      type: 'Withdraw',
      amount: 100,
    });
    expect(result.events).toEqual([]);
    expect(await fx.store.streamVersion('account-poor')).toBe(1);
  });

  it('given 10 concurrent deposits on one account, when handled with retries, then all land and the balance is their sum', async () => {
    await handleCommand(fx.store, 'account-busy', accountDecider, {
      type: 'OpenAccount',
      owner: 'ada',
    });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        handleCommand(
          fx.store,
          'account-busy',
          accountDecider,
          { type: 'Deposit', amount: i + 1 },
          { maxRetries: 20 },
        ),
      ),
    );
    const { state, version } = await loadAggregate(fx.store, 'account-busy', accountDecider);
    expect(version).toBe(11);
    expect(state.balance).toBe(55);
  });

  it('given concurrent deposits and no retries allowed, when they race, then the losers get WrongExpectedVersionError', async () => {
    await handleCommand(fx.store, 'account-strict', accountDecider, {
      type: 'OpenAccount',
      owner: 'ada',
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        handleCommand(
          fx.store,
          'account-strict',
          accountDecider,
          { type: 'Deposit', amount: 1 },
          { maxRetries: 0 },
        ),
      ),
    );
    const rejected = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected) expect(r.reason).toBeInstanceOf(WrongExpectedVersionError);
    const { state } = await loadAggregate(fx.store, 'account-strict', accountDecider);
    expect(state.balance).toBe(10 - rejected.length);
  });

  it('given snapshots every 10 events, when 25 deposits are handled, then a snapshot at 20 exists and loading from it equals full replay', async () => {
    await handleCommand(fx.store, 'account-snap', snapshotting, {
      type: 'OpenAccount',
      owner: 'ada',
    });
    for (let i = 1; i <= 25; i++) {
      await handleCommand(fx.store, 'account-snap', snapshotting, { type: 'Deposit', amount: i });
    }

    const snapshot = await readSnapshot(fx.pool, 'account-snap');
    expect(snapshot).toMatchObject({ version: 20, revision: 1 });
    const fromSnapshot = await loadAggregate(fx.store, 'account-snap', snapshotting);
    const fullReplay = await loadAggregate(fx.store, 'account-snap', accountDecider);
    expect(fromSnapshot.fromSnapshot).toBe(20);
    expect(fullReplay.fromSnapshot).toBe(0);
    expect(fromSnapshot.state).toEqual(fullReplay.state);
    expect(fromSnapshot.version).toBe(26);
    expect(fullReplay.state.balance).toBe((25 * 26) / 2);
  });

  it('given a snapshot of another revision, when loading, then it is ignored and the stream replayed', async () => {
    await handleCommand(fx.store, 'account-rev', snapshotting, {
      type: 'OpenAccount',
      owner: 'ada',
    });
    for (let i = 0; i < 12; i++) {
      await handleCommand(fx.store, 'account-rev', snapshotting, { type: 'Deposit', amount: 1 });
    }
    const revised = { ...accountDecider, snapshots: { every: 10, revision: 2 } };
    const loaded = await loadAggregate(fx.store, 'account-rev', revised);
    expect(loaded.fromSnapshot).toBe(0);
    expect(loaded.state.balance).toBe(12);
  });

  it('given a caller transaction that fails after handling a command, when it rolls back, then neither events nor snapshot remain', async () => {
    await expect(
      inTransaction(fx.pool, async (tx) => {
        await handleCommand(
          fx.store,
          'account-tx',
          { ...accountDecider, snapshots: { every: 1 } },
          { type: 'OpenAccount', owner: 'ada' },
          { tx },
        );
        throw new Error('outbox write failed');
      }),
    ).rejects.toThrow('outbox write failed');
    expect(await fx.store.streamVersion('account-tx')).toBe(0);
    expect(await readSnapshot(fx.pool, 'account-tx')).toBeUndefined();
  });
});
