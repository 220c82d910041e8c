import {
  StreamClosedError,
  WrongExpectedVersionError,
  type EventData,
} from '@eventline/eventstore';
import { inTransaction } from '@eventline/store';
import { createStoreFixture, type StoreFixture } from './store-fixture';

const deposited = (amount: number): EventData => ({ type: 'MoneyDeposited', data: { amount } });

describe('event store appends with expected versions, on real Postgres', () => {
  let fx: StoreFixture;

  beforeAll(async () => {
    fx = await createStoreFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('given no stream, when appending with no-stream then with the returned version, then both land in order', async () => {
    const first = await fx.store.append('acc-1', [deposited(1), deposited(2)], {
      expectedVersion: 'no-stream',
    });
    const second = await fx.store.append('acc-1', [deposited(3)], {
      expectedVersion: first.nextExpectedVersion,
    });

    expect(first.nextExpectedVersion).toBe(2);
    expect(second.nextExpectedVersion).toBe(3);
    expect(second.firstPosition).toBeGreaterThan(first.lastPosition);
    const events = await fx.store.readStream('acc-1');
    expect(events.map((e) => [e.streamVersion, e.data])).toEqual([
      [1, { amount: 1 }],
      [2, { amount: 2 }],
      [3, { amount: 3 }],
    ]);
    expect(await fx.store.readStream('acc-1', { afterVersion: 2 })).toHaveLength(1);
  });

  it('given a stream at version 3, when appending at a stale version or with no-stream, then WrongExpectedVersionError names stream, expected and actual', async () => {
    await fx.store.append('acc-2', [deposited(1), deposited(2), deposited(3)]);

    const stale = fx.store.append('acc-2', [deposited(4)], { expectedVersion: 2 });
    await expect(stale).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(stale).rejects.toMatchObject({
      streamId: 'acc-2',
      expectedVersion: 2,
      actualVersion: 3,
      message: 'stream acc-2: expected version 2, actual 3',
    });
    await expect(
      fx.store.append('acc-2', [deposited(4)], { expectedVersion: 'no-stream' }),
    ).rejects.toMatchObject({ expectedVersion: 'no-stream', actualVersion: 3 });
    await expect(
      fx.store.append('acc-missing', [deposited(4)], { expectedVersion: 1 }),
    ).rejects.toMatchObject({ expectedVersion: 1, actualVersion: 0 });
    expect(await fx.store.streamVersion('acc-2')).toBe(3);
  });

  it('given a stream, when appending with any, then it appends whatever the version', async () => {
    await fx.store.append('acc-3', [deposited(1)], { expectedVersion: 'any' });
    const result = await fx.store.append('acc-3', [deposited(2)], { expectedVersion: 'any' });
    expect(result.nextExpectedVersion).toBe(2);
  });

  it('given 20 writers at the same expected version, when they append at once, then exactly one wins and the rest get WrongExpectedVersionError', async () => {
    await fx.store.append('acc-race', [deposited(0)]);

    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        fx.store.append('acc-race', [deposited(i + 1)], { expectedVersion: 1 }),
      ),
    );

    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o) => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const loss of lost) {
      expect((loss as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
      expect((loss as PromiseRejectedResult).reason).toMatchObject({ actualVersion: 2 });
    }
    expect(await fx.store.readStream('acc-race')).toHaveLength(2);
  });

  it('given 20 writers creating the same new stream with no-stream, when they race, then exactly one creates it', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        fx.store.append('acc-new-race', [deposited(i)], { expectedVersion: 'no-stream' }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(await fx.store.readStream('acc-new-race')).toHaveLength(1);
  });

  it('given a caller transaction, when the append commits or rolls back with the caller state, then they are all or nothing', async () => {
    await fx.pool.query('CREATE TABLE handler_state (id text PRIMARY KEY, note text)');

    await inTransaction(fx.pool, async (tx) => {
      await tx.query(`INSERT INTO handler_state VALUES ('kept', 'committed with events')`);
      await fx.store.appendInTransaction(tx, 'acc-tx-kept', [deposited(5)], {
        expectedVersion: 'no-stream',
      });
    });
    await expect(
      inTransaction(fx.pool, async (tx) => {
        await tx.query(`INSERT INTO handler_state VALUES ('lost', 'rolled back with events')`);
        await fx.store.appendInTransaction(tx, 'acc-tx-lost', [deposited(5)]);
        throw new Error('handler failed after appending');
      }),
    ).rejects.toThrow('handler failed after appending');

    const { rows } = await fx.pool.query<{ id: string }>('SELECT id FROM handler_state');
    expect(rows.map((r) => r.id)).toEqual(['kept']);
    expect(await fx.store.readStream('acc-tx-kept')).toHaveLength(1);
    expect(await fx.store.readStream('acc-tx-lost')).toHaveLength(0);
  });

  it('given a conflict inside a caller transaction, when it is caught, then the transaction is still usable', async () => {
    await fx.store.append('acc-tx-conflict', [deposited(1)]);
    const caught = await inTransaction(fx.pool, async (tx) => {
      const error = await fx.store
        .appendInTransaction(tx, 'acc-tx-conflict', [deposited(2)], { expectedVersion: 0 })
        .catch((err: unknown) => err);
      await fx.store.appendInTransaction(tx, 'acc-tx-conflict', [deposited(2)], {
        expectedVersion: 1,
      });
      return error;
    });
    expect(caught).toBeInstanceOf(WrongExpectedVersionError);
    expect(await fx.store.streamVersion('acc-tx-conflict')).toBe(2);
  });

  it('given events with metadata, when read back, then type, data and metadata round-trip', async () => {
    await fx.store.append('acc-meta', [
      { type: 'MoneyDeposited', data: { amount: 7 }, metadata: { traceparent: '00-abc-01' } },
      deposited(8),
    ]);
    const [withMeta, without] = await fx.store.readStream('acc-meta');
    expect(withMeta).toMatchObject({
      type: 'MoneyDeposited',
      data: { amount: 7 },
      metadata: { traceparent: '00-abc-01' },
      streamId: 'acc-meta',
      streamVersion: 1,
    });
    expect(withMeta!.recordedAt).toBeInstanceOf(Date);
    expect(without).not.toHaveProperty('metadata');
  });

  it('given a closed stream, when appending to it, then StreamClosedError and nothing is written', async () => {
    await fx.store.append('acc-closed', [deposited(1)]);
    expect(await fx.store.closeStream('acc-closed')).toBe(true);
    expect(await fx.store.closeStream('acc-closed')).toBe(false);

    await expect(fx.store.append('acc-closed', [deposited(2)])).rejects.toBeInstanceOf(
      StreamClosedError,
    );
    expect(await fx.store.readStream('acc-closed')).toHaveLength(1);
  });

  it('given an empty event list, when appending, then it is refused with a clear message', async () => {
    await expect(fx.store.append('acc-empty', [])).rejects.toThrow(
      'append to acc-empty: no events to append',
    );
  });
});
