import { z } from 'zod';
import { readConfig } from '@eventline/kit';

/** The housekeeping jobs' settings, read once at start. */
const housekeepingEnvSchema = z.object({
  /**
   * How long a handler's idempotency records are kept. Longer than the broker keeps events
   * (Kafka's retention, 7 days by default): a redelivery of anything still in the log is then
   * still recognised and answered with its first reply.
   */
  EVENTLINE_IDEMPOTENCY_WINDOW_HOURS: z.coerce.number().positive().default(192),
  /**
   * How old an outbox row must be before the sweep sends it; the sweep also leaves alone any row
   * still held under a lease (its committer's, or another sweep's: EVENTLINE_OUTBOX_LEASE_MS).
   */
  EVENTLINE_OUTBOX_SWEEP_AFTER_MS: z.coerce.number().int().min(0).default(30_000),
});

export type HousekeepingConfig = z.infer<typeof housekeepingEnvSchema>;

let config: HousekeepingConfig | undefined;
export function housekeepingConfig(): HousekeepingConfig {
  config ??= readConfig(housekeepingEnvSchema);
  return config;
}
