import { inTransaction, type Transaction } from '@eventline/store';
import { statement } from './statements';
import type { EventStore } from './event-store';
import type { EventData, RecordedEvent } from './events';

/**
 * A read model fed from the global position. `apply` runs in the same transaction as the
 * checkpoint update, so each event changes the read model exactly once, crash or not.
 */
export interface Projection<Event extends EventData = EventData> {
  /** Unique per read model: the checkpoint's key. */
  name: string;
  apply(tx: Transaction, event: RecordedEvent<Event>): Promise<void>;
  /** Empties the read model, for a rebuild. */
  reset(tx: Transaction): Promise<void>;
}

export interface ProjectionRunOptions {
  batchSize?: number;
  /** How long an idle runner waits before looking for new events. */
  pollIntervalMs?: number;
  onError: (err: unknown) => void;
}

export interface ProjectionRunner {
  /** Finishes the batch in flight (committed or rolled back), then stops. */
  stop(): Promise<void>;
}

/**
 * Locks the projection's checkpoint row for the transaction: a second runner of the same
 * projection (another replica) waits instead of applying the same events twice.
 */
async function lockCheckpoint(tx: Transaction, name: string): Promise<number> {
  await tx.query(
    statement(
      'eventstore.ensure_checkpoint',
      'INSERT INTO eventstore.checkpoints (projection) VALUES ($1) ON CONFLICT DO NOTHING',
      [name],
    ),
  );
  const { rows } = await tx.query<{ position: number }>(
    statement(
      'eventstore.lock_checkpoint',
      'SELECT position FROM eventstore.checkpoints WHERE projection = $1 FOR UPDATE',
      [name],
    ),
  );
  return Number(rows[0]?.position ?? 0);
}

async function storeCheckpoint(tx: Transaction, name: string, position: number): Promise<void> {
  await tx.query(
    statement(
      'eventstore.store_checkpoint',
      'UPDATE eventstore.checkpoints SET position = $2, updated_at = now() WHERE projection = $1',
      [name, position],
    ),
  );
}

async function applyBatch<Event extends EventData>(
  store: EventStore,
  projection: Projection<Event>,
  tx: Transaction,
  after: number,
  batchSize: number,
): Promise<RecordedEvent<Event>[]> {
  const events = await store.readAll<Event>({ after, batchSize, tx });
  for (const event of events) await projection.apply(tx, event);
  if (events.length > 0) {
    await storeCheckpoint(tx, projection.name, events[events.length - 1]!.globalPosition);
  }
  return events;
}

/** Applies the next batch after the checkpoint in one transaction; returns how many events. */
export async function projectNextBatch<Event extends EventData>(
  store: EventStore,
  projection: Projection<Event>,
  batchSize = 500,
): Promise<number> {
  return inTransaction(store.pool, async (tx) => {
    const after = await lockCheckpoint(tx, projection.name);
    return (await applyBatch(store, projection, tx, after, batchSize)).length;
  });
}

/** Brings the projection up to the end of the store once; returns how many events it applied. */
export async function catchUpProjection<Event extends EventData>(
  store: EventStore,
  projection: Projection<Event>,
  batchSize = 500,
): Promise<number> {
  let total = 0;
  for (;;) {
    const applied = await projectNextBatch(store, projection, batchSize);
    total += applied;
    if (applied < batchSize) return total;
  }
}

/** The global position a projection has applied up to; 0 before its first event. */
export async function projectionCheckpoint(store: EventStore, name: string): Promise<number> {
  const { rows } = await store.pool.query<{ position: number }>(
    'SELECT position FROM eventstore.checkpoints WHERE projection = $1',
    [name],
  );
  return Number(rows[0]?.position ?? 0);
}

/**
 * Keeps a projection caught up by polling: batches back to back while there is a backlog, one
 * look per interval when idle. Polling rather than LISTEN/NOTIFY keeps appends free of a notify
 * per commit and survives dropped connections without re-subscribing; the interval bounds the lag.
 */
export function runProjection<Event extends EventData>(
  store: EventStore,
  projection: Projection<Event>,
  options: ProjectionRunOptions,
): ProjectionRunner {
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  let stopped = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      try {
        const applied = await projectNextBatch(store, projection, batchSize);
        failures = 0;
        if (applied < batchSize && !stopped) await sleep(pollIntervalMs);
      } catch (err) {
        options.onError(err);
        failures++;
        if (!stopped) await sleep(Math.min(pollIntervalMs * 2 ** failures, 5_000));
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}

/**
 * The replay command: in one transaction, resets the read model and its checkpoint and applies
 * every event from the start. Readers see the old view until the new one is complete, and the
 * live runner waits on the checkpoint lock meanwhile, then carries on from where the rebuild
 * ended. Returns the number of events replayed and the position reached.
 */
export async function rebuildProjection<Event extends EventData>(
  store: EventStore,
  projection: Projection<Event>,
  batchSize = 1000,
): Promise<{ events: number; position: number }> {
  return inTransaction(store.pool, async (tx) => {
    await lockCheckpoint(tx, projection.name);
    await projection.reset(tx);
    await storeCheckpoint(tx, projection.name, 0);
    let position = 0;
    let events = 0;
    for (;;) {
      const batch = await applyBatch(store, projection, tx, position, batchSize);
      events += batch.length;
      if (batch.length > 0) position = batch[batch.length - 1]!.globalPosition;
      if (batch.length < batchSize) return { events, position };
    }
  });
}
