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

/**
 * Locks the projection's checkpoint row for the transaction: another process applying the same
 * projection waits instead of applying the same events twice.
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

/**
 * Like projectNextBatch, but only when no one else holds the projection's checkpoint; returns
 * null when someone does.
 */
async function tryProjectNextBatch<Event extends EventData>(
  store: EventStore,
  projection: Projection<Event>,
  batchSize: number,
): Promise<number | null> {
  return inTransaction(store.pool, async (tx) => {
    await tx.query(
      statement(
        'eventstore.ensure_checkpoint',
        'INSERT INTO eventstore.checkpoints (projection) VALUES ($1) ON CONFLICT DO NOTHING',
        [projection.name],
      ),
    );
    const { rows } = await tx.query<{ position: number }>(
      statement(
        'eventstore.try_lock_checkpoint',
        'SELECT position FROM eventstore.checkpoints WHERE projection = $1 FOR UPDATE SKIP LOCKED',
        [projection.name],
      ),
    );
    if (!rows[0]) return null;
    return (await applyBatch(store, projection, tx, Number(rows[0].position), batchSize)).length;
  });
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

/**
 * Whether events were committed past the projection's checkpoint, looked at without its lock.
 * Whoever held the checkpoint looks once more after letting go of it: a catch-up that found it
 * locked meanwhile left its events to the holder, and they were committed before it let go.
 */
async function behind(store: EventStore, name: string): Promise<boolean> {
  const { rows } = await store.pool.query<{ behind: boolean }>(
    statement(
      'eventstore.projection_behind',
      `SELECT EXISTS (SELECT 1 FROM eventstore.events WHERE global_position >
         coalesce((SELECT position FROM eventstore.checkpoints WHERE projection = $1), 0)) AS behind`,
      [name],
    ),
  );
  return rows[0]?.behind === true;
}

/** Brings the projection up to the end of the store; returns how many events it applied. */
export async function catchUpProjection<Event extends EventData>(
  store: EventStore,
  projection: Projection<Event>,
  batchSize = 500,
): Promise<number> {
  let total = 0;
  for (;;) {
    const applied = await projectNextBatch(store, projection, batchSize);
    total += applied;
    if (applied < batchSize && !(await behind(store, projection.name))) return total;
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

export interface ProjectionFollower {
  /**
   * Brings the projection up to the events committed so far, soon and without waiting: call it
   * after committing events the projection reads.
   */
  catchUp(): void;
  /** Resolves when no catch-up of this follower is running. */
  settled(): Promise<void>;
}

/**
 * Keeps a projection caught up by the writers of its events, with no poll loop: after a commit a
 * writer applies what is new. One catch-up runs per process at a time (a request meanwhile runs
 * it again once it ends); across processes, a writer that finds the checkpoint taken leaves the
 * work to its holder, which looks again once it has let go of it and so sees every event
 * committed before the other writer gave up. A crash between a commit and its catch-up leaves
 * the events for the next writer or a catch-up job.
 */
export function followProjection<Event extends EventData>(
  store: EventStore,
  projection: Projection<Event>,
  onError: (err: unknown) => void,
  batchSize = 500,
): ProjectionFollower {
  let running: Promise<void> | undefined;
  let again = false;
  const run = async () => {
    do {
      again = false;
      for (;;) {
        const applied = await tryProjectNextBatch(store, projection, batchSize);
        if (applied === null) break;
        if (applied < batchSize && !(await behind(store, projection.name))) break;
      }
    } while (again);
  };
  return {
    catchUp() {
      if (running) {
        again = true;
        return;
      }
      running = run()
        .catch(onError)
        .finally(() => {
          running = undefined;
        });
    },
    settled: async () => {
      while (running) await running;
    },
  };
}

/**
 * The replay command: in one transaction, resets the read model and its checkpoint and applies
 * every event from the start. Readers see the old view until the new one is complete. Catch-ups
 * meanwhile wait on the checkpoint lock or leave their events to the rebuild, which applies what
 * was committed while it ran once it has committed. Returns the number of events replayed and
 * the position reached.
 */
export async function rebuildProjection<Event extends EventData>(
  store: EventStore,
  projection: Projection<Event>,
  batchSize = 1000,
): Promise<{ events: number; position: number }> {
  const rebuilt = await inTransaction(store.pool, async (tx) => {
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
  await catchUpProjection(store, projection, batchSize);
  return rebuilt;
}
