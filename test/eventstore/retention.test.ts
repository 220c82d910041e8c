import { DEFAULT_CLOSED_STREAM_TTL_MS, readSnapshot, writeSnapshot } from '@eventline/eventstore';
import { createStoreFixture, type StoreFixture } from './store-fixture';

const DAY = 24 * 60 * 60 * 1000;
const event = { type: 'OrderPlaced', data: { total: 10 } };

describe('retention of closed streams (seed 004: 30 days), on real Postgres', () => {
  let fx: StoreFixture;

  beforeAll(async () => {
    fx = await createStoreFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('given streams closed 31 and 29 days ago and an old open one, when pruning with the default TTL, then only the one past the TTL goes, with its events and snapshot', async () => {
    for (const stream of ['order-expired', 'order-recent', 'order-open']) {
      await fx.store.append(stream, [event, event]);
      await writeSnapshot(fx.pool, { streamId: stream, version: 2, revision: 1, state: {} });
    }
    await fx.pool.query(
      `UPDATE eventstore.events SET recorded_at = now() - interval '90 days'
       WHERE stream_id = 'order-open'`,
    );
    await fx.store.closeStream('order-expired', { closedAt: new Date(Date.now() - 31 * DAY) });
    await fx.store.closeStream('order-recent', { closedAt: new Date(Date.now() - 29 * DAY) });

    const pruned = await fx.store.pruneClosedStreams();

    expect(DEFAULT_CLOSED_STREAM_TTL_MS).toBe(30 * DAY);
    expect(pruned).toBe(1);
    expect(await fx.store.readStream('order-expired')).toEqual([]);
    expect(await fx.store.streamVersion('order-expired')).toBe(0);
    expect(await readSnapshot(fx.pool, 'order-expired')).toBeUndefined();
    for (const kept of ['order-recent', 'order-open']) {
      expect(await fx.store.readStream(kept)).toHaveLength(2);
      expect(await readSnapshot(fx.pool, kept)).toBeDefined();
    }
  });

  it('given more expired streams than one batch, when pruning, then all of them go', async () => {
    for (let i = 0; i < 7; i++) {
      await fx.store.append(`cart-${i}`, [event]);
      await fx.store.closeStream(`cart-${i}`, { closedAt: new Date(Date.now() - 50 * DAY) });
    }
    expect(await fx.store.pruneClosedStreams({ olderThanMs: 45 * DAY, batchSize: 3 })).toBe(7);
    expect(await fx.store.pruneClosedStreams({ olderThanMs: 45 * DAY })).toBe(0);
    expect(await fx.store.readStream('order-recent')).toHaveLength(2);
  });
});
