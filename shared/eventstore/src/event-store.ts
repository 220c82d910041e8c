import type { Pool, Transaction } from '@eventline/store';
import { EVENTSTORE_SCHEMA, inSchema } from './schema';
import { statement } from './statements';
import { StreamClosedError, WrongExpectedVersionError } from './errors';
import type { EventData, ExpectedVersion, RecordedEvent } from './events';

/** A pool (each call its own transaction) or a caller's open transaction. */
export type Queryable = Pool | Transaction;

export interface AppendResult {
  /** The stream's version after the append: pass it as the next expected version. */
  nextExpectedVersion: number;
  firstPosition: number;
  lastPosition: number;
}

export interface ReadStreamOptions {
  /** Read events after this version (exclusive); 0 reads from the start. */
  afterVersion?: number;
  maxCount?: number;
  /** Read inside this transaction instead of on the pool. */
  tx?: Transaction;
}

export interface ReadAllOptions {
  /** Read events after this global position (exclusive); 0 reads from the start. */
  after?: number;
  batchSize?: number;
  tx?: Transaction;
}

export interface PruneOptions {
  /** Streams closed longer ago than this are deleted with their events and snapshots. */
  olderThanMs: number;
  /** Deletes at most this many streams per transaction, so a large backlog never locks for long. */
  batchSize?: number;
}

/** Seed 004 expires event store items after 30 days. */
export const DEFAULT_CLOSED_STREAM_TTL_MS = 30 * 24 * 60 * 60 * 1000;

const MAX_COUNT = 1_000_000_000;

/**
 * Events travel as one JSON array per query, each event a positional array: the client parses
 * one document instead of decoding rows and columns one by one, which halves the client's CPU
 * per event read (the bottleneck when Node and Postgres share a machine).
 */
const EVENT_AS_JSON = `json_build_array(stream_id, stream_version, global_position, type, data,
  metadata, extract(epoch FROM recorded_at) * 1000)`;

type EventTuple = [string, number, number, string, unknown, Record<string, unknown> | null, number];

function toRecorded<Event extends EventData>(events: EventTuple[] | null): RecordedEvent<Event>[] {
  if (events === null) return [];
  return events.map(([streamId, streamVersion, globalPosition, type, data, metadata, at]) => {
    const event = {
      type,
      data,
      streamId,
      streamVersion,
      globalPosition,
      recordedAt: new Date(at),
    } as RecordedEvent<Event>;
    if (metadata !== null) event.metadata = metadata;
    return event;
  });
}

function expectedAsParameter(expected: ExpectedVersion): number | null {
  if (expected === 'any') return null;
  if (expected === 'no-stream') return 0;
  if (!Number.isInteger(expected) || expected < 0) {
    throw new RangeError(`expected version must be an integer ≥ 0, 'no-stream' or 'any'`);
  }
  return expected;
}

/**
 * Streams of events in Postgres (schema `eventstore`, or the one given): optimistic appends, reads by stream and by
 * global position, closing and pruning streams. Statements are named so each connection plans
 * them once.
 */
export class EventStore {
  constructor(
    readonly pool: Pool,
    /** the schema its migrations ran in (eventStoreMigrationsIn) */
    readonly schema: string = EVENTSTORE_SCHEMA,
  ) {}

  private sql(text: string): string {
    return inSchema(text, this.schema);
  }

  private statement(name: string, text: string, values: unknown[]) {
    const named = this.schema === EVENTSTORE_SCHEMA ? name : `${this.schema}.${name}`;
    return statement(named, this.sql(text), values);
  }

  /** Appends in a transaction of its own (one round trip). */
  append<Event extends EventData>(
    streamId: string,
    events: readonly Event[],
    options: { expectedVersion?: ExpectedVersion } = {},
  ): Promise<AppendResult> {
    return this.appendInTransaction(this.pool, streamId, events, options);
  }

  /**
   * Appends inside the caller's transaction, so a handler's idempotency record, state change,
   * outbox rows and events commit together. Appends are serialised until commit (see the
   * migration), so call this last in the transaction. A conflict throws and writes nothing;
   * the caller's transaction stays usable.
   */
  async appendInTransaction<Event extends EventData>(
    tx: Queryable,
    streamId: string,
    events: readonly Event[],
    options: { expectedVersion?: ExpectedVersion } = {},
  ): Promise<AppendResult> {
    const expected = options.expectedVersion ?? 'any';
    if (events.length === 0) throw new RangeError(`append to ${streamId}: no events to append`);
    const payload = JSON.stringify(
      // An absent metadata key stays absent, so the column holds SQL NULL, not JSON null.
      events.map((e) => ({ type: e.type, data: e.data, metadata: e.metadata })),
    );
    const { rows } = await tx.query<{
      outcome: 'ok' | 'conflict' | 'closed';
      stream_version: number;
      first_position: number | null;
      last_position: number | null;
    }>(
      this.statement('eventstore.append', 'SELECT * FROM eventstore.append_to_stream($1, $2, $3)', [
        streamId,
        expectedAsParameter(expected),
        payload,
      ]),
    );
    const row = rows[0];
    if (!row) throw new Error(`append to ${streamId}: the store returned no outcome`);
    const version = Number(row.stream_version);
    if (row.outcome === 'conflict')
      throw new WrongExpectedVersionError(streamId, expected, version);
    if (row.outcome === 'closed') throw new StreamClosedError(streamId, version);
    return {
      nextExpectedVersion: version,
      firstPosition: Number(row.first_position),
      lastPosition: Number(row.last_position),
    };
  }

  /** A stream's events in version order; an unknown stream reads as empty. */
  async readStream<Event extends EventData = EventData>(
    streamId: string,
    options: ReadStreamOptions = {},
  ): Promise<RecordedEvent<Event>[]> {
    // Versions are contiguous, so a version range replaces LIMIT and the aggregate stays flat.
    const { rows } = await (options.tx ?? this.pool).query<{ events: EventTuple[] | null }>(
      this.statement(
        'eventstore.read_stream',
        `SELECT json_agg(${EVENT_AS_JSON} ORDER BY stream_version) AS events
         FROM eventstore.events
         WHERE stream_id = $1 AND stream_version > $2 AND stream_version <= $2 + $3`,
        [streamId, options.afterVersion ?? 0, options.maxCount ?? MAX_COUNT],
      ),
    );
    return toRecorded<Event>(rows[0]?.events ?? null);
  }

  /** The stream's current version: 0 when it has no events. */
  async streamVersion(streamId: string, tx?: Transaction): Promise<number> {
    const { rows } = await (tx ?? this.pool).query<{ version: number }>(
      this.statement(
        'eventstore.stream_version',
        'SELECT version FROM eventstore.streams WHERE stream_id = $1',
        [streamId],
      ),
    );
    return rows[0] ? Number(rows[0].version) : 0;
  }

  /**
   * One batch of events of all streams after a global position. Because appends publish
   * positions in order, a reader that got position N never later finds a new event below N.
   */
  async readAll<Event extends EventData = EventData>(
    options: ReadAllOptions = {},
  ): Promise<RecordedEvent<Event>[]> {
    const { rows } = await (options.tx ?? this.pool).query<{ events: EventTuple[] | null }>(
      this.statement(
        'eventstore.read_all',
        `SELECT json_agg(${EVENT_AS_JSON} ORDER BY global_position) AS events
             FROM (SELECT * FROM eventstore.events WHERE global_position > $1
                   ORDER BY global_position LIMIT $2) AS batch`,
        [options.after ?? 0, options.batchSize ?? 1000],
      ),
    );
    return toRecorded<Event>(rows[0]?.events ?? null);
  }

  /** Every event after a position, batch by batch, up to the end of the store as it grows. */
  async *readAllBatches<Event extends EventData = EventData>(
    options: Omit<ReadAllOptions, 'tx'> = {},
  ): AsyncGenerator<RecordedEvent<Event>[]> {
    let after = options.after ?? 0;
    const batchSize = options.batchSize ?? 1000;
    for (;;) {
      const batch = await this.readAll<Event>({ after, batchSize });
      if (batch.length === 0) return;
      yield batch;
      after = batch[batch.length - 1]!.globalPosition;
      if (batch.length < batchSize) return;
    }
  }

  /** The highest global position written so far; 0 for an empty store. */
  async headPosition(tx?: Transaction): Promise<number> {
    const { rows } = await (tx ?? this.pool).query<{ head: number | null }>(
      this.sql('SELECT max(global_position) AS head FROM eventstore.events'),
    );
    return Number(rows[0]?.head ?? 0);
  }

  /**
   * Marks a stream closed: it accepts no more appends and becomes eligible for pruning once
   * the retention TTL has passed. `closedAt` lets a caller date the closure by the event that
   * ended the aggregate rather than by when the close was processed. Returns false for an
   * unknown stream or one already closed (the first closure date stands).
   */
  async closeStream(
    streamId: string,
    options: { closedAt?: Date; tx?: Transaction } = {},
  ): Promise<boolean> {
    const { rowCount } = await (options.tx ?? this.pool).query(
      this.sql(`UPDATE eventstore.streams SET closed_at = coalesce($2, now())
       WHERE stream_id = $1 AND closed_at IS NULL`),
      [streamId, options.closedAt ?? null],
    );
    return rowCount === 1;
  }

  /**
   * The retention policy: deletes streams closed more than `olderThanMs` ago, with their events
   * and snapshots. Open streams are never touched. Returns how many streams were deleted.
   */
  async pruneClosedStreams(
    options: PruneOptions = { olderThanMs: DEFAULT_CLOSED_STREAM_TTL_MS },
  ): Promise<number> {
    let total = 0;
    for (;;) {
      const { rows } = await this.pool.query<{ pruned: number }>(
        this.sql(`WITH expired AS (
           DELETE FROM eventstore.streams WHERE stream_id IN (
             SELECT stream_id FROM eventstore.streams
             WHERE closed_at < now() - make_interval(secs => $1::double precision / 1000)
             LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING stream_id),
         events AS (
           DELETE FROM eventstore.events WHERE stream_id IN (SELECT stream_id FROM expired)),
         snapshots AS (
           DELETE FROM eventstore.snapshots WHERE stream_id IN (SELECT stream_id FROM expired))
         SELECT count(*)::int AS pruned FROM expired`),
        [options.olderThanMs, options.batchSize ?? 500],
      );
      const pruned = Number(rows[0]?.pruned ?? 0);
      total += pruned;
      if (pruned === 0) return total;
    }
  }
}
