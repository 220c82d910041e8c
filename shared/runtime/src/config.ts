import { z } from 'zod';
import { handlerEnvSchema, readConfig } from '@eventline/kit';

/** An empty variable counts as unset, as `DATABASE_URL= npm start` means. */
const unsetIfEmpty = <S extends z.ZodType>(schema: S) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** A TCP port, by the rule a handler's PORT follows: for the environment and the command line. */
export const portSchema = handlerEnvSchema.shape.PORT.unwrap();

/**
 * Producers outside routing.yaml that may post to the local ingress (a script, `curl`, another
 * system): each with the token it sends as `Authorization: Bearer` and the types it may send, as
 * an EventPolicy's `from` and `filters` allow them in a cluster.
 */
const externalSendersSchema = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  },
  z
    .record(
      z.string(),
      z
        .object({
          token: z.string().regex(/^\S{16,}$/, 'must be at least 16 characters without spaces'),
          emits: z.array(z.string().min(1)).min(1, 'must name at least one type (or "*")'),
        })
        .strict(),
      {
        error: (issue) =>
          issue.code === 'invalid_type'
            ? 'must be a JSON object: {"<sender>":{"token":"...","emits":["<type>",...]}}'
            : undefined,
      },
    )
    .superRefine((senders, ctx) => {
      for (const name of Object.keys(senders))
        if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name))
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'sender names are lower-case words joined by -',
          });
    }),
);

export type ExternalSenders = z.infer<typeof externalSendersSchema>;

/** What the local system (`npm start`) reads from the environment; checked before it starts. */
const localSystemEnvSchema = z.object({
  DATABASE_URL: unsetIfEmpty(handlerEnvSchema.shape.DATABASE_URL),
  /**
   * with DATABASE_URL: `per-package` creates each service package's owner and runtime roles (the
   * URL's user needs CREATEROLE) and runs its handlers as its runtime role; `shared` runs every
   * handler as the URL's user
   */
  EVENTLINE_DATABASE_ROLES: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.enum(['per-package', 'shared']).default('per-package'),
  ),
  REDIS_URL: unsetIfEmpty(handlerEnvSchema.shape.REDIS_URL),
  KAFKA_BROKERS: unsetIfEmpty(
    z
      .string()
      .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, 'must be host:port, comma-separated'),
  ),
  // the Kafka topic is named after it: Kafka's legal topic characters
  EVENTLINE_NAMESPACE: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,100}$/, 'must be 1-100 letters, digits, ".", "_" or "-"')
    .default('eventline'),
  EVENTLINE_HOST: z.string().min(1).default('127.0.0.1'),
  EVENTLINE_EDGE_PORT: portSchema.default(8080),
  EVENTLINE_BROKER_PORT: portSchema.default(8081),
  /** how long a handler process may go without a request before it is stopped (scale to zero) */
  EVENTLINE_IDLE_WINDOW_MS: z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(100, 'must be at least 100 (milliseconds)')
    .default(60_000),
  LOG_LEVEL: handlerEnvSchema.shape.LOG_LEVEL,
  /**
   * `enabled`: the ingress lets each sender send only what it may (the chart's
   * senderAuthorization.enabled); `disabled`: anyone may send anything, as a cluster without
   * Eventing's OIDC feature does
   */
  EVENTLINE_SENDER_AUTHORIZATION: z.enum(['enabled', 'disabled']).default('enabled'),
  EVENTLINE_SENDERS: unsetIfEmpty(externalSendersSchema),
});

export type LocalSystemEnv = z.infer<typeof localSystemEnvSchema>;

/** Throws a ConfigError naming every offending variable. */
export function readLocalSystemEnv(env: NodeJS.ProcessEnv): LocalSystemEnv {
  return readConfig(localSystemEnvSchema, env);
}
