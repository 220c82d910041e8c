import type { QueryResult } from 'pg';
import { inTransaction, type Pool, type Transaction } from './pool';

/** An event committed to the outbox, with its position there. */
export interface OutboxEntry {
  position: number;
  event: unknown;
}

function entriesOf(events: unknown[], rows: Array<{ position: number }>): OutboxEntry[] {
  const positions = rows.map((row) => row.position).sort((a, b) => a - b);
  return events.map((event, i) => ({ position: positions[i] as number, event }));
}

/** What a transaction's commit records as the answer to a repeat of its work. */
export interface StoredAnswers {
  /** the reply on the idempotency record of the event handled (see claimEvent) */
  eventReply?: { source: string; id: string; value: unknown };
  /** the answer on the request's Idempotency-Key claim (see claimIdempotencyKey) */
  keyAnswer?: { key: string; value: unknown };
}

/**
 * Writes a transaction's outbox events and its stored answers (what a redelivery or a repeated
 * request is answered with), then commits: one round trip, as a simple-protocol query with the
 * values as escaped literals. A transaction holding a hot lock (the event store's append lock, a
 * flash-sale stock row) so releases it a client round trip sooner, which under load is
 * milliseconds of everyone else's waiting.
 */
export async function commitWithOutbox(
  tx: Transaction,
  producer: string,
  events: unknown[],
  answers: StoredAnswers = {},
): Promise<OutboxEntry[]> {
  const literal = (value: string) => tx.escapeLiteral(value);
  const statements: string[] = [];
  const { eventReply, keyAnswer } = answers;
  if (eventReply) {
    statements.push(
      `UPDATE eventline.processed_events SET reply = ${literal(JSON.stringify(eventReply.value))}::jsonb
        WHERE consumer = ${literal(producer)} AND source = ${literal(eventReply.source)}
          AND id = ${literal(eventReply.id)}`,
    );
  }
  if (keyAnswer) {
    statements.push(
      `UPDATE eventline.idempotency_keys SET answer = ${literal(JSON.stringify(keyAnswer.value ?? null))}::jsonb
        WHERE consumer = ${literal(producer)} AND key = ${literal(keyAnswer.key)}`,
    );
  }
  if (events.length > 0) {
    statements.push(
      // clock_timestamp(), not the column's now(): a row is as old as its commit, not as its
      // transaction, or a long transaction's rows would look abandoned to the sweep at once.
      `INSERT INTO eventline.outbox (producer, event, enqueued_at)
         SELECT ${literal(producer)}, e.value, clock_timestamp()
           FROM jsonb_array_elements(${literal(JSON.stringify(events))}::jsonb)
           WITH ORDINALITY AS e ORDER BY e.ordinality
         RETURNING position`,
    );
  }
  statements.push('COMMIT');
  const results = await tx.query(statements.join(';\n'));
  if (events.length === 0) return [];
  // Several statements answer with one result each; the INSERT's is the one before COMMIT's.
  const inserted = (results as unknown as QueryResult<{ position: number }>[]).at(-2);
  return entriesOf(events, inserted?.rows ?? []);
}

const DELETE_DELAY_MS = 20;
const FIRST_RETRY_MS = 250;
const LAST_RETRY_MS = 30_000;

export interface OutboxSweep {
  /** one producer's rows; every producer's when absent */
  producer?: string;
  /** only rows committed at least this long ago */
  olderThanMs: number;
  /** only rows before this position */
  before?: number | null;
  batchSize?: number;
}

/**
 * Sends outbox rows in outbox order, a batch per transaction: the rows are deleted and locked
 * with SKIP LOCKED, sent, and the deletion commits only once all of them went out, so concurrent
 * sweeps share the work and a failed send leaves its batch for the next sweep. Returns how many
 * rows were sent.
 */
export async function sweepOutbox(
  pool: Pool,
  sweep: OutboxSweep,
  send: (event: unknown) => Promise<void>,
): Promise<number> {
  let total = 0;
  for (;;) {
    const sent = await inTransaction(pool, async (tx) => {
      const { rows } = await tx.query<{ position: number; event: unknown }>(
        `DELETE FROM eventline.outbox WHERE position IN (
           SELECT position FROM eventline.outbox
            WHERE ($1::text IS NULL OR producer = $1) AND enqueued_at < now() - make_interval(secs => $3)
              AND ($4::bigint IS NULL OR position < $4)
            ORDER BY position LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING position, event`,
        [
          sweep.producer ?? null,
          sweep.batchSize ?? 100,
          sweep.olderThanMs / 1000,
          sweep.before ?? null,
        ],
      );
      // RETURNING follows the delete's scan, not the subquery's ORDER BY.
      rows.sort((a, b) => a.position - b.position);
      for (const row of rows) await send(row.event);
      return rows.length;
    });
    total += sent;
    if (sent === 0) return total;
  }
}

export interface OutboxRelayOptions {
  pool: Pool;
  producer: string;
  send: (event: unknown) => Promise<void>;
  onError: (err: unknown) => void;
}

/**
 * Delivers the outbox rows one producer's process commits. That process sends them right after
 * the commit and deletes them in one statement (`publish`). When a send fails (the sink is
 * down), the relay sends nothing directly any more and retries, with growing pauses while the
 * process is up, a sweep of its producer's rows in outbox order, until the outbox is empty: a
 * later event of a key must not overtake an earlier one that is waiting for the sink to come
 * back. Rows a crash left behind are the outbox sweep job's (`sweepOutbox` on a PingSource
 * tick), so a process that is not running needs no timer to have its rows sent.
 * The retrying sweep takes only rows older than the oldest one this process is still sending or
 * about to delete. A row can still go out twice (a sweep racing a send, a crash after a send):
 * delivery is at least once, and every consumer dedupes on source + id.
 */
export class OutboxRelay {
  private sweeping?: Promise<void>;
  private retry?: NodeJS.Timeout;
  private retryDelayMs = 0;
  private readonly publishing = new Set<Promise<void>>();
  private readonly sent: number[] = [];
  /** positions this process sends directly, until they are sent and deleted or left to the sweep */
  private readonly inFlight = new Set<number>();
  /** the last pending send of each partition key */
  private readonly tails = new Map<string, Promise<void>>();
  private sweepOnly = false;
  /** publishes left to the sweep while sweepOnly: one during the emptiness check defers leaving it */
  private diverted = 0;
  private deletion?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: OutboxRelayOptions) {}

  /**
   * Sends entries just committed; those that went out are deleted soon after. Events with one
   * `partitionkey` go out one after another in commit order (the broker keeps that order per
   * key); others go out at once. After a failed send everything goes through the sweep, in
   * outbox order, until the outbox is empty again.
   */
  publish(entries: OutboxEntry[]): void {
    if (entries.length === 0) return;
    if (this.sweepOnly) {
      this.diverted += 1;
      this.sweep();
      return;
    }
    for (const entry of entries) {
      this.inFlight.add(entry.position);
      const key = (entry.event as { partitionkey?: unknown }).partitionkey;
      const previous = typeof key === 'string' ? this.tails.get(key) : undefined;
      const run: Promise<void> = (previous ?? Promise.resolve())
        .then(() => this.send(entry))
        .finally(() => {
          this.publishing.delete(run);
          if (typeof key === 'string' && this.tails.get(key) === run) this.tails.delete(key);
        });
      this.publishing.add(run);
      if (typeof key === 'string') this.tails.set(key, run);
    }
  }

  private async send(entry: OutboxEntry): Promise<void> {
    if (this.sweepOnly) {
      this.inFlight.delete(entry.position);
      return;
    }
    try {
      await this.options.send(entry.event);
    } catch (err) {
      this.sweepOnly = true;
      this.inFlight.delete(entry.position);
      this.options.onError(err);
      this.retryLater();
      return;
    }
    this.sent.push(entry.position);
    this.deleteSentSoon();
  }

  /**
   * One DELETE for everything sent in the last few milliseconds instead of one per commit. A
   * crash in between leaves rows that the sweep sends again: at least once, as before.
   */
  private deleteSentSoon(): void {
    this.deletion ??= new Promise((resolve) => setTimeout(resolve, DELETE_DELAY_MS))
      .then(() => this.deleteSent())
      .catch((err) => this.options.onError(err))
      .finally(() => {
        this.deletion = undefined;
        if (this.sent.length > 0) this.deleteSentSoon();
      });
  }

  private async deleteSent(): Promise<void> {
    const positions = this.sent.splice(0);
    if (positions.length === 0) return;
    try {
      await this.options.pool.query(
        'DELETE FROM eventline.outbox WHERE position = ANY($1::bigint[])',
        [positions],
      );
    } finally {
      // Rows a failed DELETE left behind go to the sweep: sent again, at least once.
      for (const position of positions) this.inFlight.delete(position);
    }
  }

  private oldestInFlight(): number | null {
    let oldest: number | null = null;
    for (const position of this.inFlight)
      if (oldest === null || position < oldest) oldest = position;
    return oldest;
  }

  /** A sweep after a pause that doubles with each failed one, while the process is up. */
  private retryLater(): void {
    if (this.stopped || this.retry) return;
    this.retryDelayMs = Math.min(Math.max(this.retryDelayMs * 2, FIRST_RETRY_MS), LAST_RETRY_MS);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.sweep();
    }, this.retryDelayMs);
  }

  private sweep(): void {
    if (this.stopped || this.sweeping) return;
    this.sweeping = this.drain()
      .catch((err) => {
        this.options.onError(err);
        this.retryLater();
      })
      .finally(() => {
        this.sweeping = undefined;
      });
  }

  private async drain(): Promise<void> {
    await sweepOutbox(
      this.options.pool,
      { producer: this.options.producer, olderThanMs: 0, before: this.oldestInFlight() },
      this.options.send,
    );
    if (!this.sweepOnly) return;
    // Back to direct sends only when nothing waits: no row, and no commit published meanwhile
    // (its row may have committed after the count looked).
    const diverted = this.diverted;
    if ((await this.pendingRows()) === 0 && this.diverted === diverted) {
      this.sweepOnly = false;
      this.retryDelayMs = 0;
    } else {
      this.retryLater();
    }
  }

  private async pendingRows(): Promise<number> {
    const { rows } = await this.options.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM eventline.outbox WHERE producer = $1',
      [this.options.producer],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Stops after the direct sends finish and a last sweep sends what this process left; rows it
   * cannot send (the sink is still down) stay for the sweep job.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.sweeping;
    await Promise.allSettled([...this.publishing]);
    await this.deletion;
    await this.deleteSent().catch((err) => this.options.onError(err));
    if (this.sweepOnly) await this.drain().catch((err) => this.options.onError(err));
  }
}
