import type { RecordedEvent } from '@eventline/eventstore';
import { createStoreFixture, type StoreFixture } from './store-fixture';

describe('global position under concurrent writers, on real Postgres', () => {
  let fx: StoreFixture;

  beforeAll(async () => {
    fx = await createStoreFixture(24);
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('given 16 writers on distinct streams, when a reader follows readAll meanwhile, then it sees every event once, in strictly increasing positions, none appearing behind it', async () => {
    const writers = 16;
    const appendsPerWriter = 60;
    let writing = true;

    const seen: RecordedEvent[] = [];
    let checkpoint = 0;
    const readOnce = async () => {
      const batch = await fx.store.readAll({ after: checkpoint, batchSize: 50 });
      for (const event of batch) {
        // The reader only moves forward: an event at or below its checkpoint showing up now
        // would be one it skipped earlier, the gap problem.
        expect(event.globalPosition).toBeGreaterThan(checkpoint);
        checkpoint = event.globalPosition;
        seen.push(event);
      }
      return batch.length;
    };
    const reader = (async () => {
      while (writing) await readOnce();
      while ((await readOnce()) > 0);
    })();

    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < appendsPerWriter; i++) {
          // Mixed batch sizes so transactions hold positions for different lengths of time.
          const size = 1 + ((w + i) % 3);
          await fx.store.append(
            `writer-${w}`,
            Array.from({ length: size }, (_, k) => ({
              type: 'Written',
              data: { w, i, k },
            })),
          );
        }
      }),
    );
    writing = false;
    await reader;

    const { rows } = await fx.pool.query<{ global_position: number }>(
      'SELECT global_position FROM eventstore.events ORDER BY global_position',
    );
    expect(seen.map((e) => e.globalPosition)).toEqual(rows.map((r) => Number(r.global_position)));
    // Per stream, versions are contiguous from 1 and follow global order.
    for (let w = 0; w < writers; w++) {
      const versions = seen.filter((e) => e.streamId === `writer-${w}`).map((e) => e.streamVersion);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
    }
  });

  it('given events in the store, when read in batches from a position, then batches resume exactly after the previous one', async () => {
    const head = await fx.store.headPosition();
    await fx.store.append(
      'batched',
      Array.from({ length: 25 }, (_, i) => ({ type: 'Written', data: { i } })),
    );
    const batches: number[][] = [];
    for await (const batch of fx.store.readAllBatches({ after: head, batchSize: 10 })) {
      batches.push(batch.map((e) => e.streamVersion));
    }
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches.flat()).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });
});
