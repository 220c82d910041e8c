import { z } from 'zod';
import { readConfig } from '@eventline/kit';

/** The retail service's own settings, read once at start. */
const retailEnvSchema = z.object({
  /** how long a cart lives in Redis after its last use (sliding) */
  CART_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 24 * 3600)
    .default(1800),
  /** how often a cart change is tried again when another change to the cart came first */
  CART_UPDATE_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(25),
  /** the largest product image accepted, decoded; its base64 must also fit EVENTLINE_BODY_LIMIT */
  PRODUCT_IMAGE_MAX_BYTES: z.coerce.number().int().min(1).max(50_000_000).default(700_000),
});

export type RetailConfig = z.infer<typeof retailEnvSchema>;

let config: RetailConfig | undefined;
export function retailConfig(): RetailConfig {
  config ??= readConfig(retailEnvSchema);
  return config;
}
