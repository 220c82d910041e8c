import type { Pool } from '@eventline/store';
import type { Logger } from '@eventline/telemetry';
import type { FlightSample } from '../../domain/admission';

const SAMPLE = `
  SELECT count(*)::int AS open,
         coalesce(1000 * extract(epoch FROM percentile_disc(0.9) WITHIN GROUP (ORDER BY now() - sent_at)), 0)::float8 AS p90_wait_ms
    FROM orders.saga_timers`;

/**
 * How the orders in flight are doing, measured at most every `everyMs` while orders arrive: a
 * request reads the latest sample and, when it is due, starts the next one without waiting for
 * it, so no request waits for a measurement and an idle edge runs no query (no timer: a
 * scaled-to-zero edge has nothing to keep sampling). A sample too old to describe now is none.
 */
export class FlightGauge {
  private sample: FlightSample | undefined;
  private takenAt = -Infinity;
  private taking = false;

  constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
    private readonly everyMs: number,
  ) {}

  current(): FlightSample | undefined {
    const age = performance.now() - this.takenAt;
    if (!this.taking && age >= this.everyMs) this.take();
    return age <= 4 * this.everyMs ? this.sample : undefined;
  }

  private take(): void {
    this.taking = true;
    this.pool
      .query<{ open: number; p90_wait_ms: number }>(SAMPLE)
      .then(({ rows }) => {
        this.sample = { open: rows[0]?.open ?? 0, p90WaitMs: rows[0]?.p90_wait_ms ?? 0 };
        this.takenAt = performance.now();
      })
      .catch((err: unknown) => this.log.warn({ err }, 'measuring the orders in flight failed'))
      .finally(() => {
        this.taking = false;
      });
  }
}
