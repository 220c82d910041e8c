import { z } from 'zod';
import { readConfig } from '@eventline/kit';

/** The orders service's own settings, read once at start. */
const ordersEnvSchema = z.object({
  /**
   * the database the kit validates, where the simulated payment provider keeps its ledger; unset
   * in this process's environment only for the in-process system on embedded Postgres
   */
  DATABASE_URL: z.string().min(1).optional(),
  PAYMENT_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(5),
  PAYMENT_DECLINE_RATE: z.coerce.number().min(0).max(1).default(0),
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
});

export type OrdersConfig = z.infer<typeof ordersEnvSchema>;

let config: OrdersConfig | undefined;
export function ordersConfig(): OrdersConfig {
  config ??= readConfig(ordersEnvSchema);
  return config;
}
