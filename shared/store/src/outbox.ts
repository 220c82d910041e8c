import type { Pool, Transaction } from './pool';

/** An event committed to the outbox, with its position there. */
export interface OutboxEntry {
  position: string;
  event: unknown;
}

const INSERT_EVENTS = `INSERT INTO eventline.outbox (producer, event)
  SELECT $1, e.value FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e ORDER BY e.ordinality
  RETURNING position`;

function entriesOf(events: unknown[], rows: Array<{ position: string }>): OutboxEntry[] {
  const positions = rows.map((row) => row.position).sort((a, b) => Number(a) - Number(b));
  return events.map((event, i) => ({ position: positions[i] as string, event }));
}

/** Adds events to the outbox in the caller's transaction: sent only if it commits. */
export async function enqueueEvents(
  tx: Transaction,
  producer: string,
  events: unknown[],
): Promise<OutboxEntry[]> {
  if (events.length === 0) return [];
  const { rows } = await tx.query<{ position: string }>(INSERT_EVENTS, [
    producer,
    JSON.stringify(events),
  ]);
  return entriesOf(events, rows);
}

/**
 * What a handler's handling of an event produced, stored in one round trip in the caller's
 * transaction: the reply on the event's idempotency record (what a redelivery is answered with,
 * see claimEvent) and the emitted events in the handler's outbox.
 */
export async function recordOutcome(
  tx: Transaction,
  handler: string,
  event: { source: string; id: string },
  outcome: { reply: unknown; events: unknown[] },
): Promise<OutboxEntry[]> {
  if (outcome.reply === null && outcome.events.length === 0) return [];
  const { rows } = await tx.query<{ position: string }>(
    `WITH reply AS (
       UPDATE eventline.processed_events SET reply = $5::jsonb
        WHERE $5::jsonb IS NOT NULL AND consumer = $1 AND source = $3 AND id = $4
     )
     ${INSERT_EVENTS}`,
    [
      handler,
      JSON.stringify(outcome.events),
      event.source,
      event.id,
      outcome.reply === null ? null : JSON.stringify(outcome.reply),
    ],
  );
  return entriesOf(outcome.events, rows);
}

const DELETE_DELAY_MS = 20;

export interface OutboxRelayOptions {
  pool: Pool;
  producer: string;
  send: (event: unknown) => Promise<void>;
  onError: (err: unknown) => void;
  batchSize?: number;
  pollMs?: number;
  /** how old a row must be before the sweep sends it: younger ones are the committer's to send */
  graceMs?: number;
}

/**
 * Delivers committed outbox rows of one producer. The process that committed them sends them
 * right after the commit and deletes them in one statement (`publish`); a sweep sends what that
 * left behind (a crash, a sink that was down), locking rows with SKIP LOCKED and deleting them
 * in the transaction that sent them, so replicas share the work and nothing committed is lost.
 * A row can go out twice (a slow direct send overtaken by the sweep): delivery is at least once,
 * and every consumer dedupes on source + id.
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private readonly publishing = new Set<Promise<void>>();
  private readonly sent: string[] = [];
  private deletion?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: OutboxRelayOptions) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.sweep(), this.options.pollMs ?? 500);
    this.sweep();
  }

  /** Sends entries just committed, in order; those that went out are deleted soon after. */
  publish(entries: OutboxEntry[]): void {
    if (entries.length === 0) return;
    const run = this.send(entries)
      .catch((err) => this.options.onError(err))
      .finally(() => this.publishing.delete(run));
    this.publishing.add(run);
  }

  private async send(entries: OutboxEntry[]): Promise<void> {
    for (const entry of entries) {
      await this.options.send(entry.event);
      this.sent.push(entry.position);
      this.deleteSentSoon();
    }
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
    await this.options.pool.query(
      'DELETE FROM eventline.outbox WHERE position = ANY($1::bigint[])',
      [positions],
    );
  }

  private sweep(graceMs = this.options.graceMs ?? 2_000): void {
    if (this.stopped || this.sweeping) return;
    this.sweeping = this.drain(graceMs)
      .catch((err) => this.options.onError(err))
      .finally(() => {
        this.sweeping = undefined;
      });
  }

  private async drain(graceMs: number): Promise<void> {
    while (!this.stopped && (await this.sendBatch(graceMs)) > 0);
  }

  private async sendBatch(graceMs: number): Promise<number> {
    const tx = await this.options.pool.connect();
    try {
      await tx.query('BEGIN');
      const { rows } = await tx.query<{ event: unknown }>(
        `DELETE FROM eventline.outbox WHERE position IN (
           SELECT position FROM eventline.outbox
            WHERE producer = $1 AND enqueued_at < now() - make_interval(secs => $3)
            ORDER BY position LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING position, event`,
        [this.options.producer, this.options.batchSize ?? 100, graceMs / 1000],
      );
      for (const row of rows) await this.options.send(row.event);
      await tx.query('COMMIT');
      return rows.length;
    } catch (err) {
      await tx.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      tx.release();
    }
  }

  /** Stops the sweep after the direct sends finish and a last pass sends every row left. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
    await Promise.allSettled([...this.publishing]);
    await this.deletion;
    await this.deleteSent().catch((err) => this.options.onError(err));
    await this.drain(0).catch((err) => this.options.onError(err));
    this.stopped = true;
  }
}
