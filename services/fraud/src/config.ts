import { z } from 'zod';
import { readConfig } from '@eventline/kit';

const score = z.coerce.number().min(0).max(1);

/** The fraud service's own settings, read once at start. */
const fraudEnvSchema = z
  .object({
    /** scores below this are approved */
    FRAUD_REVIEW_AT: score.default(0.5),
    /** scores at or above this are declined; between the two, a human reviews */
    FRAUD_DECLINE_AT: score.default(0.9),
    /** how long a review may go unanswered before the transaction is declined */
    FRAUD_REVIEW_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(1_000)
      .default(15 * 60_000),
    /** how long a transaction's FraudScore stays in Redis */
    FRAUD_SCORE_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(30 * 86_400)
      .default(3_600),
    /** more transactions than this in a minute is sent to review whatever the score */
    FRAUD_MAX_PER_MINUTE: z.coerce.number().int().min(1).default(5),
    /** countries (ISO 3166-1 alpha-2, comma-separated) whose transactions are declined */
    FRAUD_BLOCKED_COUNTRIES: z
      .string()
      .regex(/^([A-Z]{2}(,[A-Z]{2})*)?$/, 'must be comma-separated two-letter country codes')
      .default(''),
  })
  .refine((env) => env.FRAUD_REVIEW_AT <= env.FRAUD_DECLINE_AT, {
    message: 'must not be above FRAUD_DECLINE_AT',
    path: ['FRAUD_REVIEW_AT'],
  });

export type FraudConfig = z.infer<typeof fraudEnvSchema>;

let config: FraudConfig | undefined;
export function fraudConfig(): FraudConfig {
  config ??= readConfig(fraudEnvSchema);
  return config;
}
