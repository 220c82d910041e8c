import { createLogger } from '@eventline/telemetry';
import { GroupCursor, type EventRecord } from './kafka-group-cursor';

const record = (partition: number, offset: number, type = 'wanted'): EventRecord => ({
  partition,
  offset: BigInt(offset),
  headers: new Map(),
  value: Buffer.alloc(0),
  attributes: { type },
});

/** A cursor whose deliveries stay open until released, recording what the reader was asked. */
function cursorOf(
  options: { start?: Array<number | undefined>; maxInFlight?: number; ordered?: boolean } = {},
) {
  const delivered: string[] = [];
  const pending: Array<() => void> = [];
  const rewinds: Array<[number, bigint]> = [];
  let resumes = 0;
  const cursor = new GroupCursor({
    ordered: options.ordered ?? false,
    maxInFlight: options.maxInFlight ?? 4,
    accepts: (attributes) => attributes.type === 'wanted',
    log: createLogger('cursor-test', 'silent'),
    start: (options.start ?? [0, 0]).map((offset) =>
      offset === undefined ? undefined : BigInt(offset),
    ),
    deliver: (r) => {
      delivered.push(`${r.partition}:${r.offset}`);
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    rewind: (partition, offset) => rewinds.push([partition, offset]),
    resume: () => (resumes += 1),
  });
  const settleAll = async () => {
    for (let i = 0; i < 100 && pending.length > 0; i += 1) {
      pending.splice(0).forEach((resolve) => resolve());
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { cursor, delivered, pending, rewinds, settleAll, resumes: () => resumes };
}

describe('GroupCursor', () => {
  it('given a start offset, when records before it arrive, then it skips them and takes the rest', async () => {
    const { cursor, delivered, settleAll } = cursorOf({ start: [2, 0] });
    cursor.offer([record(0, 1), record(0, 2), record(0, 3)], 0n);
    await settleAll();
    expect(delivered).toEqual(['0:2', '0:3']);
  });

  it('given records done out of order, when committing, then the offset only passes records that are all done', async () => {
    const { cursor, pending } = cursorOf();
    cursor.offer([record(0, 0), record(0, 1), record(0, 2)], 0n);
    await new Promise((resolve) => setImmediate(resolve));
    const [first, second, third] = pending;
    second?.();
    third?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(cursor.takeCommittable()).toEqual([]);
    first?.();
    await new Promise((resolve) => setImmediate(resolve));
    // Kafka's committed offset is the next record to read
    expect(cursor.takeCommittable()).toEqual([{ partition: 0, offset: 3n }]);
    expect(cursor.takeCommittable()).toEqual([]);
  });

  it('given records the filter refuses, when offered, then they are acknowledged without delivery', async () => {
    const { cursor, delivered } = cursorOf();
    cursor.offer([record(1, 0, 'other'), record(1, 1, 'other')], 0n);
    expect(delivered).toEqual([]);
    expect(cursor.takeCommittable()).toEqual([{ partition: 1, offset: 2n }]);
  });

  it('given a read that started past the next offset, when offered, then it is ignored until the read from that offset arrives', async () => {
    const { cursor, delivered, settleAll } = cursorOf({ start: [5, 0] });
    cursor.offer([record(0, 8), record(0, 9)], 8n);
    await settleAll();
    expect(delivered).toEqual([]);
    cursor.offer([record(0, 5), record(0, 6), record(0, 7), record(0, 8), record(0, 9)], 5n);
    await settleAll();
    expect(delivered).toEqual(['0:5', '0:6', '0:7', '0:8', '0:9']);
  });

  it('given a full backlog, when more records arrive, then they are refused, and once it drains the reader is asked to read again from the first refused one', async () => {
    // in flight 1: a backlog of 16
    const { cursor, delivered, rewinds, settleAll, resumes } = cursorOf({ maxInFlight: 1 });
    const offsets = Array.from({ length: 20 }, (_, i) => i);
    cursor.offer(
      offsets.map((o) => record(0, o)),
      0n,
    );
    expect(cursor.hasRoom).toBe(false);
    // later records of the same read, and of later reads, are refused too
    cursor.offer([record(0, 20)], 20n);

    await settleAll();
    expect(rewinds).toEqual([[0, 16n]]);
    expect(resumes()).toBeGreaterThan(0);
    cursor.offer(
      [16, 17, 18, 19, 20].map((o) => record(0, o)),
      16n,
    );
    await settleAll();
    expect(delivered).toEqual(offsets.concat(20).map((o) => `0:${o}`));
  });

  it('given ordered delivery, when records of one partition arrive, then each waits for the previous one', async () => {
    const { cursor, delivered, pending } = cursorOf({ ordered: true });
    cursor.offer([record(0, 0), record(0, 1), record(1, 0)], 0n);
    await new Promise((resolve) => setImmediate(resolve));
    expect(delivered).toEqual(['0:0', '1:0']);
    pending[0]?.();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(delivered).toEqual(['0:0', '1:0', '0:1']);
  });

  it('given deliveries in flight, when stopped, then it takes no more records and resolves once they settle', async () => {
    const { cursor, delivered, pending } = cursorOf();
    cursor.offer([record(0, 0)], 0n);
    let stopped = false;
    const stopping = cursor.stop(5_000).then(() => (stopped = true));
    cursor.offer([record(0, 1)], 1n);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    pending[0]?.();
    await stopping;
    expect(delivered).toEqual(['0:0']);
    expect(cursor.takeCommittable()).toEqual([{ partition: 0, offset: 1n }]);
  });

  it('given a partition handed to another dispatcher, when released with deliveries in flight, then records not yet sent are left to the new owner and the offset covers only what was delivered', async () => {
    const { cursor, delivered, pending } = cursorOf({ ordered: true, start: [0, undefined] });
    cursor.offer([record(0, 0), record(0, 1), record(0, 2), record(1, 0)], 0n);
    await new Promise((resolve) => setImmediate(resolve));
    // partition 1 belongs to another dispatcher: its record is not taken
    expect(delivered).toEqual(['0:0']);
    const releasing = cursor.release(0, 5_000);
    cursor.offer([record(0, 3)], 3n);
    pending[0]?.();
    expect(await releasing).toBe(1n);
    expect(delivered).toEqual(['0:0']);
    cursor.claim(1, 5n);
    cursor.offer([record(1, 5)], 5n);
    await new Promise((resolve) => setImmediate(resolve));
    expect(delivered).toEqual(['0:0', '1:5']);
  });
});
