import type { Pool, Transaction } from './pool';

/** Adds events to the outbox in the caller's transaction: sent only if it commits. */
export async function enqueueEvents(
  tx: Transaction,
  producer: string,
  events: unknown[],
): Promise<void> {
  if (events.length === 0) return;
  await tx.query(
    `INSERT INTO eventline.outbox (producer, event) SELECT $1, e FROM jsonb_array_elements($2::jsonb) AS e`,
    [producer, JSON.stringify(events)],
  );
}

export interface OutboxRelayOptions {
  pool: Pool;
  producer: string;
  send: (event: unknown) => Promise<void>;
  onError: (err: unknown) => void;
  batchSize?: number;
  pollMs?: number;
}

/**
 * Delivers committed outbox rows of one producer. Rows are locked with SKIP LOCKED and deleted
 * in the transaction that sent them, so several replicas share the work, a crash mid-send
 * leaves the rows for the next attempt (at least once), and nothing committed is lost.
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(private readonly options: OutboxRelayOptions) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 500);
    this.kick();
  }

  /** Asks for a pass now, e.g. right after a commit that enqueued events. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err) => this.options.onError(err))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async drain(): Promise<void> {
    while (!this.stopped && (await this.sendBatch()) > 0);
  }

  private async sendBatch(): Promise<number> {
    const tx = await this.options.pool.connect();
    try {
      await tx.query('BEGIN');
      const { rows } = await tx.query<{ event: unknown }>(
        `DELETE FROM eventline.outbox WHERE position IN (
           SELECT position FROM eventline.outbox WHERE producer = $1
           ORDER BY position LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING position, event`,
        [this.options.producer, this.options.batchSize ?? 100],
      );
      await Promise.all(rows.map((row) => this.options.send(row.event)));
      await tx.query('COMMIT');
      return rows.length;
    } catch (err) {
      await tx.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      tx.release();
    }
  }

  /** Stops polling after a last pass, so events committed before a drain still go out. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    this.again = false;
    await this.drain().catch((err) => this.options.onError(err));
    this.stopped = true;
  }
}
