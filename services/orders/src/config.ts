import { z } from 'zod';
import { readConfig } from '@eventline/kit';
import { promotionSchema } from './domain/pricing';

/** The orders service's own settings, read once at start. */
const ordersEnvSchema = z.object({
  /** the region this installation is (the chart's `region`): it names the reports to central */
  EVENTLINE_REGION: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/, 'must be 1-32 lower-case letters, digits or -')
    .default('local'),
  /** till purchases per report to the central store: a tick sends as many reports as it needs */
  CENTRAL_FEED_BATCH: z.coerce.number().int().min(1).max(100).default(100),
  PAYMENT_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(5),
  PAYMENT_DECLINE_RATE: z.coerce.number().min(0).max(1).default(0),
  /**
   * the simulated provider fails every call until this instant (ISO-8601): an outage, for tests
   * and drills of the circuit breaker
   */
  PAYMENT_UNAVAILABLE_UNTIL: z.iso
    .datetime({ offset: true })
    .transform((at) => Date.parse(at))
    .optional(),
  /** the payment provider's circuit breaker opens after this many failures within the window */
  PAYMENT_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  PAYMENT_BREAKER_WINDOW_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** how long it stays open before one call probes the provider again */
  PAYMENT_BREAKER_OPEN_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /**
   * calls per second toward the payment provider, all replicas together (a token bucket in
   * Redis); 0 draws no tokens
   */
  PAYMENT_RATE_PER_SECOND: z.coerce.number().min(0).max(100_000).default(1000),
  /** the calls it lets through at once after a quiet spell */
  PAYMENT_RATE_BURST: z.coerce.number().int().min(1).max(100_000).default(100),
  SHIPMENT_FAILURE_REGIONS: z.string().default('nowhere'),
  /** overrides every step's timeout of the saga table (ms), e.g. for a slow test machine */
  ORDERS_STEP_TIMEOUT_MS: z.coerce.number().int().min(100).optional(),
  /**
   * New orders are refused (429) while the open sagas' steps have waited longer than this (p90,
   * ms); 0 admits every order. A third of the step timeout: an admitted order's steps finish in
   * time at the rate the system drains.
   */
  ORDERS_ADMISSION_MAX_STEP_WAIT_MS: z.coerce.number().int().min(0).default(5000),
  /** fewer open sagas than this are never a reason to refuse an order */
  ORDERS_ADMISSION_MIN_OPEN: z.coerce.number().int().min(0).default(20),
  /** how often, at most, the edge measures the orders in flight (ms) */
  ORDERS_ADMISSION_SAMPLE_MS: z.coerce.number().int().min(10).default(250),
  /** how long the event store keeps an order's stream after the order reached a final status */
  ORDERS_STREAM_RETENTION_DAYS: z.coerce.number().positive().default(30),
  /** the promotions the point of sale applies: a JSON list (see domain/pricing.ts) */
  POS_PROMOTIONS: z
    .string()
    .default('[]')
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON list of promotions' });
        return z.NEVER;
      }
    })
    .pipe(z.array(promotionSchema).max(1000)),
});

export type OrdersConfig = z.infer<typeof ordersEnvSchema>;

let config: OrdersConfig | undefined;
export function ordersConfig(): OrdersConfig {
  config ??= readConfig(ordersEnvSchema);
  return config;
}
