import { z } from 'zod';

/** A configuration problem, naming each offending environment variable. */
export class ConfigError extends Error {}

/** Reads and validates configuration from the environment once, at start. */
export function readConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`,
  );
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(' or ')})` },
  );

/** Variables every Eventline handler reads. */
export const handlerEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_KEY_PREFIX: z.string().default(''),
  K_SINK: url(['http:', 'https:']).optional(),
  /**
   * The handler's identity toward K_SINK, sent as `Authorization: Bearer` with every event it
   * posts: the token itself (the local system gives each handler process its own), or a file
   * holding it (a cluster's projected ServiceAccount token, which the kubelet rotates).
   */
  EVENTLINE_SENDER_TOKEN: z.string().regex(/^\S+$/, 'must be a token without spaces').optional(),
  EVENTLINE_SENDER_TOKEN_FILE: z.string().min(1).optional(),
  EVENTLINE_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/, 'must look like 256kb or 1mb')
    .default('1mb'),
  EVENTLINE_DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * How long the outbox rows a process commits are its own to send before any replica or the
   * sweep job may take them: also how long a crashed process's rows wait. A send gives up within a
   * third of it.
   */
  EVENTLINE_OUTBOX_LEASE_MS: z.coerce.number().int().min(300).default(30_000),
  EVENTLINE_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).default(20_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** a directory the handler appends what it emits to, as contract samples (tests only) */
  EVENTLINE_CONTRACT_SAMPLES: z.string().min(1).optional(),
});

export type HandlerEnv = z.infer<typeof handlerEnvSchema>;

/** What `main.js migrate` (the chart's migration Job) reads. */
export const migrationEnvSchema = z.object({
  /** the package's owner role: it owns the package's schemas and is a member of the platform's */
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  /** the role the package's handlers connect as, granted their DML after the migrations */
  EVENTLINE_RUNTIME_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a Postgres role name (a-z, 0-9, _)')
    .optional(),
});
