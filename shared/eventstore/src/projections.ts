import { inTransaction, type Transaction } from '@eventline/store';
import { statement } from './statements';
import type { EventStore } from './event-store';
import type { EventData, RecordedEvent } from './events';

/**
 * A read model fed from the global position. `apply` runs in the same transaction as the
 * checkpoint update, so each event changes the read model exactly once, crash or not. An event
 * `apply` fails for good (bad data, a broken constraint, an exception of its own) is parked with
 * the reason (`parkedEvents`, `replayParkedEvent`) and the events after it go on; a failure that
 * passes (a lost connection, a serialization failure) fails the batch, which is tried again.
 */
export interface Projection<Event extends EventData = EventData> {
  /** Unique per read model: the checkpoint's key. */
  name: string;
  apply(tx: Transaction, event: RecordedEvent<Event>): Promise<void>;
  /** Empties the read model, for a rebuild. */
  reset(tx: Transaction): Promise<void>;
}

/**
 * Locks the projection's checkpoint row for the transaction and returns its position: another
 * process applying the same projection waits instead of applying the same events twice, or,
 * with `skipLocked`, gets null and leaves the work to the holder.
 */
async function lockCheckpoint(
  tx: Transaction,
  name: string,
  skipLocked = false,
): Promise<number | null> {
  await tx.query(
    statement(
      'eventstore.ensure_checkpoint',
      'INSERT INTO eventstore.checkpoints (projection) VALUES ($1) ON CONFLICT DO NOTHING',
      [name],
    ),
  );
  const { rows } = await tx.query<{ position: number }>(
    skipLocked
      ? statement(
          'eventstore.try_lock_checkpoint',
          'SELECT position FROM eventstore.checkpoints WHERE projection = $1 FOR UPDATE SKIP LOCKED',
          [name],
        )
      : statement(
          'eventstore.lock_checkpoint',
          'SELECT position FROM eventstore.checkpoints WHERE projection = $1 FOR UPDATE',
          [name],
        ),
  );
  return rows[0] ? Number(rows[0].position) : null;
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

/**
 * SQLSTATE classes of failures that pass (a lost connection, a serialization failure or deadlock,
 * a lock or resource shortage, a server in trouble): the batch is tried again, nothing parked.
 */
const PASSING_FAILURES = new Set(['08', '40', '53', '55', '57', '58', 'XX']);

function passes(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 && PASSING_FAILURES.has(code.slice(0, 2));
}

/** Applies an event alone, in a savepoint: one the projection cannot apply is parked with why. */
async function applyOrPark<Event extends EventData>(
  tx: Transaction,
  projection: Projection<Event>,
  event: RecordedEvent<Event>,
): Promise<void> {
  await tx.query('SAVEPOINT projection_event');
  try {
    await projection.apply(tx, event);
    await tx.query('RELEASE SAVEPOINT projection_event');
  } catch (err) {
    if (passes(err)) throw err;
    await tx.query('ROLLBACK TO SAVEPOINT projection_event');
    await tx.query(
      `INSERT INTO eventstore.parked_events (projection, global_position, error) VALUES ($1, $2, $3)
       ON CONFLICT (projection, global_position) DO UPDATE SET error = EXCLUDED.error, parked_at = now()`,
      [projection.name, event.globalPosition, err instanceof Error ? err.message : String(err)],
    );
  }
}

async function applyBatch<Event extends EventData>(
  store: EventStore,
  projection: Projection<Event>,
  tx: Transaction,
  after: number,
  batchSize: number,
  parking = false,
): Promise<RecordedEvent<Event>[]> {
  const events = await store.readAll<Event>({ after, batchSize, tx });
  for (const event of events) {
    if (parking) await applyOrPark(tx, projection, event);
    else await projection.apply(tx, event);
  }
  if (events.length > 0) {
    await storeCheckpoint(tx, projection.name, events[events.length - 1]!.globalPosition);
  }
  return events;
}

/**
 * Runs a batch as is, and when an event fails it for good, once more with each event in a
 * savepoint so that only that one is parked: the common batch pays no savepoint per event.
 */
async function parkingWhenPoisoned<T>(run: (parking: boolean) => Promise<T>): Promise<T> {
  try {
    return await run(false);
  } catch (err) {
    if (passes(err)) throw err;
    return run(true);
  }
}

/** The next batch after the checkpoint in one transaction; null when skipping a locked one. */
function nextBatch<Event extends EventData>(
  store: EventStore,
  projection: Projection<Event>,
  batchSize: number,
  skipLocked: boolean,
): Promise<number | null> {
  return parkingWhenPoisoned((parking) =>
    inTransaction(store.pool, async (tx) => {
      const after = await lockCheckpoint(tx, projection.name, skipLocked);
      if (after === null) return null;
      return (await applyBatch(store, projection, tx, after, batchSize, parking)).length;
    }),
  );
}

/** Applies the next batch after the checkpoint in one transaction; returns how many events. */
export async function projectNextBatch<Event extends EventData>(
  store: EventStore,
  projection: Projection<Event>,
  batchSize = 500,
): Promise<number> {
  return (await nextBatch(store, projection, batchSize, false)) ?? 0;
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
        const applied = await nextBatch(store, projection, batchSize, true);
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
      const batch = await applyBatch(store, projection, tx, position, batchSize, true);
      events += batch.length;
      if (batch.length > 0) position = batch[batch.length - 1]!.globalPosition;
      if (batch.length < batchSize) return { events, position };
    }
  });
  await catchUpProjection(store, projection, batchSize);
  return rebuilt;
}

export interface ParkedEvent {
  position: number;
  streamId: string;
  type: string;
  error: string;
  parkedAt: Date;
}

/** The events a projection parked, in log order, a page after `after`. */
export async function parkedEvents(
  store: EventStore,
  projection: string,
  page: { after?: number; limit?: number } = {},
): Promise<ParkedEvent[]> {
  const { rows } = await store.pool.query<ParkedEvent>(
    `SELECT p.global_position::float8 AS position, e.stream_id AS "streamId", e.type, p.error,
            p.parked_at AS "parkedAt"
       FROM eventstore.parked_events p
       JOIN eventstore.events e ON e.global_position = p.global_position
      WHERE p.projection = $1 AND p.global_position > $2
      ORDER BY p.global_position LIMIT $3`,
    [projection, page.after ?? 0, page.limit ?? 100],
  );
  return rows;
}

/**
 * Applies a parked event again, once its cause is fixed; it leaves the parked list when it
 * applies. It is applied alone, after the events that followed it: a projection whose later
 * events depended on it is made whole by a rebuild instead. Returns false when the event is not
 * parked; an event that still fails throws, and stays parked.
 */
export async function replayParkedEvent<Event extends EventData>(
  store: EventStore,
  projection: Projection<Event>,
  position: number,
): Promise<boolean> {
  return inTransaction(store.pool, async (tx) => {
    const parked = await tx.query(
      `SELECT 1 FROM eventstore.parked_events WHERE projection = $1 AND global_position = $2
       FOR UPDATE`,
      [projection.name, position],
    );
    if (parked.rowCount === 0) return false;
    const [event] = await store.readAll<Event>({ after: position - 1, batchSize: 1, tx });
    if (event?.globalPosition !== position) return false;
    await projection.apply(tx, event);
    await tx.query(
      'DELETE FROM eventstore.parked_events WHERE projection = $1 AND global_position = $2',
      [projection.name, position],
    );
    return true;
  });
}
