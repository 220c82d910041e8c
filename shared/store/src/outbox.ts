import { randomUUID } from 'node:crypto';
import type { QueryResult } from 'pg';
import { inTransaction, type Pool, type Transaction } from './pool';

/**
 * Who holds an outbox row and for how long: a row is its holder's alone to send until the lease
 * ends, and then anyone's. A holder starts a send only in the first third of its lease and must
 * give up a send within another third (`outboxSendTimeoutMs`), which leaves the last third for
 * the deletion, so a row is never sent by two holders at once while the database answers.
 */
export interface OutboxClaim {
  owner: string;
  leaseMs: number;
}

export const DEFAULT_OUTBOX_LEASE_MS = 30_000;

/** The longest a send of a row held for `leaseMs` may take (see OutboxClaim). */
export function outboxSendTimeoutMs(leaseMs: number): number {
  return Math.floor(leaseMs / 3);
}

/** An event committed to the outbox, with its position there. */
export interface OutboxEntry {
  position: number;
  event: unknown;
  /** the event's `partitionkey`, as text */
  key: string | null;
  /** the latest earlier row of the same producer and key in the outbox when it committed */
  after: number | null;
  /** `performance.now()` after which a direct send must not start (the claim's first third) */
  sendBy: number;
}

function keyOf(event: unknown): string | null {
  const key = (event as { partitionkey?: unknown } | null)?.partitionkey;
  return key === undefined || key === null ? null : String(key);
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
 *
 * With a claim, the rows are the claim owner's to send for its lease (see OutboxClaim), so no
 * sweep takes them while the committer sends them itself; without one they are anyone's at once.
 *
 * Rows of one producer and `partitionkey` are numbered in commit order. A bigserial alone is not
 * that: its value is drawn at the INSERT, and a transaction that drew 10 can commit after one that
 * drew 11, so a reader could see 11 without 10 and send it first, or send 10 after 11 although 11
 * committed first. So before its INSERT the commit takes a transaction-level advisory lock per
 * key it writes (in key order, so two commits never wait on each other crosswise), held until
 * COMMIT: the next commit of a key draws its positions only once the previous one is visible.
 * The lock is held for the INSERT and COMMIT alone, and only commits writing the same key wait.
 * The INSERT also answers, per row, the latest earlier row of its key still in the outbox, which
 * tells the relay whether it may send the row at once (see OutboxRelay.publish) with no query of
 * its own; the statement sees the commits before it because each statement of a read-committed
 * transaction takes its snapshot after the previous one (here: the lock) finished.
 */
export async function commitWithOutbox(
  tx: Transaction,
  producer: string,
  events: unknown[],
  answers: StoredAnswers = {},
  claim?: OutboxClaim,
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
  const keys = events.map(keyOf);
  if (events.length > 0) {
    const distinct = [...new Set(keys.filter((key): key is string => key !== null))].sort();
    for (const key of distinct) {
      statements.push(
        `SELECT pg_advisory_xact_lock(hashtext('eventline.outbox'), hashtext(${literal(`${producer}/${key}`)}))`,
      );
    }
    const owner = claim ? literal(claim.owner) : 'NULL';
    const leaseUntil = claim
      ? `clock_timestamp() + make_interval(secs => ${claim.leaseMs / 1000})`
      : `'-infinity'::timestamptz`;
    statements.push(
      // clock_timestamp(), not the column's now(): a row is as old as its commit, not as its
      // transaction, or a long transaction's rows would look abandoned to the sweep at once.
      `INSERT INTO eventline.outbox AS n (producer, partitionkey, event, enqueued_at, owner, lease_until)
         SELECT ${literal(producer)}, e.value->>'partitionkey', e.value, clock_timestamp(), ${owner}, ${leaseUntil}
           FROM jsonb_array_elements(${literal(JSON.stringify(events))}::jsonb)
           WITH ORDINALITY AS e ORDER BY e.ordinality
         RETURNING n.position, (SELECT max(o.position) FROM eventline.outbox o
            WHERE o.producer = n.producer AND o.partitionkey = n.partitionkey
              AND o.position < n.position) AS after`,
    );
  }
  statements.push('COMMIT');
  const started = performance.now();
  const results = await tx.query(statements.join(';\n'));
  if (events.length === 0) return [];
  // Several statements answer with one result each; the INSERT's is the one before COMMIT's.
  const inserted = (results as unknown as QueryResult<{ position: number; after: number | null }>[])
    .at(-2)
    ?.rows.sort((a, b) => a.position - b.position);
  const sendBy = claim ? started + claim.leaseMs / 3 : -Infinity;
  // The INSERT does not see its own rows: an earlier event of the same key in this commit is the
  // one a later one comes after.
  const latest = new Map<string, number>();
  return events.map((event, i) => {
    const row = inserted?.[i] as { position: number; after: number | null };
    const key = keys[i] ?? null;
    const after = key === null ? null : (latest.get(key) ?? row.after);
    if (key !== null) latest.set(key, row.position);
    return { position: row.position, event, key, after, sendBy };
  });
}

const DELETE_DELAY_MS = 20;
const FIRST_RETRY_MS = 250;
const LAST_RETRY_MS = 30_000;
const FIRST_WAIT_MS = 20;
const LAST_WAIT_MS = 2_000;

export interface OutboxSweep {
  /** one producer's rows; every producer's when absent */
  producer?: string;
  /** only rows committed at least this long ago */
  olderThanMs: number;
  batchSize?: number;
  /** the sweeper: what it takes is held under this owner and lease while it sends */
  claim?: OutboxClaim;
  /** rows the claim's owner holds and gave up sending itself, to be taken despite its lease */
  own?: number[];
}

/**
 * Serialises claims (the claiming statements, not the sends), so each claim sees every earlier
 * one's: with concurrent claims, one could take a key's later row while another is taking its
 * earlier one. The two-key form keeps it apart from the single-key advisory locks elsewhere.
 */
const CLAIM_LOCK = `SELECT pg_advisory_xact_lock(hashtext('eventline.outbox'), 0)`;

/**
 * A row may be taken when its lease is over (or it never had one), or when its holder, the
 * sweeper, gave it up ($4). A row is taken only with every earlier row of its key: an earlier row
 * held elsewhere (being sent, or about to be) or too young holds back the later ones.
 */
const CLAIM = `
  UPDATE eventline.outbox AS o SET owner = $1, lease_until = clock_timestamp() + make_interval(secs => $2)
   WHERE o.position IN (
     SELECT c.position FROM eventline.outbox AS c
      WHERE ($3::text IS NULL OR c.producer = $3)
        AND (c.lease_until < clock_timestamp() OR (c.owner = $1 AND c.position = ANY($4::bigint[])))
        AND c.enqueued_at <= clock_timestamp() - make_interval(secs => $5)
        AND NOT EXISTS (
          SELECT 1 FROM eventline.outbox AS e
           WHERE e.producer = c.producer AND e.partitionkey = c.partitionkey AND e.position < c.position
             AND NOT (
               (e.lease_until < clock_timestamp() OR (e.owner = $1 AND e.position = ANY($4::bigint[])))
               AND e.enqueued_at <= clock_timestamp() - make_interval(secs => $5)))
      ORDER BY c.position LIMIT $6)
   RETURNING o.position, o.event`;

/** Deletes what a sweep sent and hands back what it took and did not send, to anyone. */
const SETTLE = `
  WITH sent AS (DELETE FROM eventline.outbox WHERE position = ANY($1::bigint[]))
  UPDATE eventline.outbox SET owner = NULL, lease_until = '-infinity'
   WHERE position = ANY($2::bigint[]) AND owner = $3`;

/**
 * Sends outbox rows in outbox order, a batch at a time: a batch is claimed (see CLAIM), sent one
 * row after another while the claim's first third lasts, and then the rows sent are deleted and
 * the others handed back. A failed send ends the sweep with its error, after the rows sent before
 * it are deleted. Returns how many rows were sent.
 */
export async function sweepOutbox(
  pool: Pool,
  sweep: OutboxSweep,
  send: (event: unknown) => Promise<void>,
): Promise<number> {
  const claim = sweep.claim ?? { owner: randomUUID(), leaseMs: DEFAULT_OUTBOX_LEASE_MS };
  let total = 0;
  for (;;) {
    const claimedAt = performance.now();
    const rows = await inTransaction(pool, async (tx) => {
      await tx.query(CLAIM_LOCK);
      const { rows } = await tx.query<{ position: number; event: unknown }>(CLAIM, [
        claim.owner,
        claim.leaseMs / 1000,
        sweep.producer ?? null,
        sweep.own ?? [],
        sweep.olderThanMs / 1000,
        sweep.batchSize ?? 100,
      ]);
      return rows;
    });
    if (rows.length === 0) return total;
    // RETURNING follows the update's scan, not the subquery's ORDER BY.
    rows.sort((a, b) => a.position - b.position);
    let sent = 0;
    let failure: { err: unknown } | undefined;
    for (const row of rows) {
      if (performance.now() > claimedAt + claim.leaseMs / 3) break;
      try {
        await send(row.event);
      } catch (err) {
        failure = { err };
        break;
      }
      sent += 1;
    }
    const positions = rows.map((row) => row.position);
    await pool.query(SETTLE, [positions.slice(0, sent), positions.slice(sent), claim.owner]);
    total += sent;
    if (failure) throw failure.err;
  }
}

export interface OutboxRelayOptions {
  pool: Pool;
  producer: string;
  /** sends one event; must fail within `outboxSendTimeoutMs(leaseMs)` */
  send: (event: unknown) => Promise<void>;
  onError: (err: unknown) => void;
  /** how long the rows this process commits are its own to send (see OutboxClaim) */
  leaseMs?: number;
}

/**
 * Delivers the outbox rows one producer's process commits, with any number of replicas of it
 * sharing the outbox. The process commits its rows under its own claim (a lease, see
 * OutboxClaim), sends them right after the commit and deletes them in one statement (`publish`).
 * A row it cannot send at once, because the send failed, because its key has an earlier row it
 * is not itself sending, or because its claim is running out, goes to this process's sweep,
 * which sends in outbox order and is retried while rows wait: with growing pauses after a failed
 * send (the sink is down; meanwhile every new row goes through the sweep too), with short ones
 * while rows only wait for another replica. What the sweep cannot take, because an earlier row
 * of its key is another holder's, it hands back to anyone, so the claim after that row (even
 * the other replica's sweep that sent it) takes it at once. A crashed process's rows are anyone's once its lease
 * is over: another replica's sweep or the outbox sweep job (`sweepOutbox` on a PingSource tick)
 * sends them, so a process that is not running needs no timer to have its rows sent.
 *
 * Every row is sent once while the database answers: a row is sent only by its current holder,
 * and a key's row only once each earlier row of the key is gone (sent and deleted). A row can go
 * out twice only when its holder sent it and could not delete it (a crash, a lost connection)
 * before its lease ended: delivery is at least once, and every consumer dedupes on source + id.
 */
export class OutboxRelay {
  readonly claim: OutboxClaim;
  private sweeping?: Promise<void>;
  private sweepAgain = false;
  private retry?: NodeJS.Timeout;
  private failedDelayMs = 0;
  private waitDelayMs = 0;
  private readonly publishing = new Set<Promise<boolean>>();
  private readonly sent: number[] = [];
  /** rows this process sends itself: waiting for an earlier row of their key, sending, or sent and not yet deleted */
  private readonly inFlight = new Set<number>();
  /** rows this process holds and left to its sweep */
  private readonly left = new Set<number>();
  /** the last direct send of each partition key: whether it went out */
  private readonly tails = new Map<string, Promise<boolean>>();
  private sweepOnly = false;
  private deletion?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: OutboxRelayOptions) {
    this.claim = { owner: randomUUID(), leaseMs: options.leaseMs ?? DEFAULT_OUTBOX_LEASE_MS };
  }

  /**
   * Sends entries just committed; those that went out are deleted soon after. A row whose key has
   * no earlier row in the outbox goes out at once; one whose earlier row this process is sending
   * itself goes out after it, if it went out; any other (the earlier row is another replica's,
   * or waits for a sweep) goes to the sweep, which keeps the key's order. Rows of one key thus
   * reach the broker one after another in commit order (the broker keeps that order per key).
   */
  publish(entries: OutboxEntry[]): void {
    let leftSome = false;
    for (const entry of entries) {
      const direct = !this.sweepOnly && (entry.after === null || this.inFlight.has(entry.after));
      if (!direct) {
        this.left.add(entry.position);
        leftSome = true;
        continue;
      }
      this.inFlight.add(entry.position);
      const previous = entry.key === null ? undefined : this.tails.get(entry.key);
      const run: Promise<boolean> = (previous ?? Promise.resolve(true))
        .then((wentOut) => (wentOut ? this.send(entry) : this.leave(entry)))
        .finally(() => {
          this.publishing.delete(run);
          if (entry.key !== null && this.tails.get(entry.key) === run) this.tails.delete(entry.key);
        });
      this.publishing.add(run);
      if (entry.key !== null) this.tails.set(entry.key, run);
    }
    // Whilst a retry is pending (the sink failed) it sweeps these too, with the pause it keeps.
    if (leftSome && !this.retry) this.sweep();
  }

  /** The outbox sweep job's sweep: rows of every producer that nobody holds any more. */
  sweepAll(olderThanMs: number): Promise<number> {
    return sweepOutbox(this.options.pool, { olderThanMs, claim: this.claim }, this.options.send);
  }

  private async send(entry: OutboxEntry): Promise<boolean> {
    if (this.sweepOnly || performance.now() > entry.sendBy) return this.leave(entry);
    try {
      await this.options.send(entry.event);
    } catch (err) {
      this.sweepOnly = true;
      this.options.onError(err);
      this.retryLater('failed');
      return this.leave(entry);
    }
    this.sent.push(entry.position);
    this.deleteSentSoon();
    return true;
  }

  /** Hands a row this process was to send itself to its sweep, and the later rows of its key. */
  private leave(entry: OutboxEntry): false {
    this.inFlight.delete(entry.position);
    this.left.add(entry.position);
    if (!this.retry) this.sweep();
    return false;
  }

  /**
   * One DELETE for everything sent in the last few milliseconds instead of one per commit. A
   * crash in between leaves rows that the sweep sends again once their lease is over.
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
      // Rows a failed DELETE left behind are swept once their lease is over: at least once.
      for (const position of positions) this.inFlight.delete(position);
    }
  }

  /**
   * A sweep after a pause: after a failed send one that doubles with each failure, while rows
   * only wait for another holder a short one that grows more slowly to its cap.
   */
  private retryLater(reason: 'failed' | 'waiting'): void {
    if (this.stopped || this.retry) return;
    let delay: number;
    if (reason === 'failed') {
      delay = this.failedDelayMs = Math.min(
        Math.max(this.failedDelayMs * 2, FIRST_RETRY_MS),
        LAST_RETRY_MS,
      );
    } else {
      delay = this.waitDelayMs = Math.min(
        Math.max(this.waitDelayMs * 2, FIRST_WAIT_MS),
        LAST_WAIT_MS,
      );
    }
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.sweep();
    }, delay);
  }

  private sweep(): void {
    if (this.stopped) return;
    if (this.sweeping) {
      this.sweepAgain = true;
      return;
    }
    this.sweepAgain = false;
    const progress = { sent: 0 };
    this.sweeping = this.drain(progress)
      .catch((err) => {
        this.options.onError(err);
        // A sink that took some rows before failing is flaky, not down: the pause starts over.
        if (progress.sent > 0) this.failedDelayMs = 0;
        this.retryLater('failed');
      })
      .finally(() => {
        this.sweeping = undefined;
        if (this.sweepAgain && !this.retry) this.sweep();
      });
  }

  private async drain(progress: { sent: number }): Promise<void> {
    const own = [...this.left];
    let failure: { err: unknown } | undefined;
    try {
      await sweepOutbox(
        this.options.pool,
        { producer: this.options.producer, olderThanMs: 0, claim: this.claim, own },
        async (event) => {
          await this.options.send(event);
          progress.sent += 1;
        },
      );
    } catch (err) {
      failure = { err };
    }
    // What the sweep could not take waits behind an earlier row of its key that another holder
    // sends (or this process, directly). Handed back to anyone, it is taken by the next claim after
    // that row is gone, even by the sweep sending that row, instead of waiting for this one's look.
    const { rows } = await this.options.pool.query<{ back: number; free: number }>(
      `WITH back AS (
         UPDATE eventline.outbox SET owner = NULL, lease_until = '-infinity'
          WHERE owner = $2 AND position = ANY($3::bigint[]) RETURNING position)
       SELECT (SELECT count(*) FROM back)::int AS back,
              (SELECT count(*) FROM eventline.outbox
                WHERE producer = $1 AND lease_until < clock_timestamp())::int AS free`,
      [this.options.producer, this.claim.owner, own],
    );
    // Rows left to the sweep while it ran stay; the others are sent, handed back or someone else's.
    for (const position of own) this.left.delete(position);
    if (failure) throw failure.err;
    this.failedDelayMs = 0;
    // Rows that went out may have been what the rest waited for: the next look comes soon again.
    if (progress.sent > 0) this.waitDelayMs = 0;
    if (this.left.size === 0 && (rows[0]?.back ?? 0) + (rows[0]?.free ?? 0) === 0) {
      // Back to direct sends only when nothing of this producer waits for a sweep.
      this.sweepOnly = false;
      this.waitDelayMs = 0;
    } else if (!this.sweepAgain) {
      // Rows left while it ran are swept at once (see sweep); the others wait for another holder.
      this.retryLater('waiting');
    }
  }

  /**
   * Stops after the direct sends finish and a last sweep sends what this process left; rows it
   * still holds (the sink is down, or they wait behind another holder's) are handed back to
   * anyone at once: the next sweep, of a replica or of the job, sends them.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    await this.sweeping;
    await Promise.allSettled([...this.publishing]);
    await this.deletion;
    await this.deleteSent().catch((err) => this.options.onError(err));
    if (this.left.size > 0)
      await sweepOutbox(
        this.options.pool,
        {
          producer: this.options.producer,
          olderThanMs: 0,
          claim: this.claim,
          own: [...this.left],
        },
        this.options.send,
      ).catch((err) => this.options.onError(err));
    await this.options.pool
      .query(
        `UPDATE eventline.outbox SET owner = NULL, lease_until = '-infinity' WHERE owner = $1`,
        [this.claim.owner],
      )
      .catch((err) => this.options.onError(err));
  }
}
