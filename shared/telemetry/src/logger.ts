import { trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

export type { Logger };

const CENSOR = '[redacted]';

/** Keys whose values are credentials, at any depth of a log record (compared lower-cased). */
const SECRET_KEYS = new Set([
  'password',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'databaseurl',
  'database_url',
  'redisurl',
  'redis_url',
  'connectionstring',
]);

/** The password of a URL written into text, `scheme://user:password@host`. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s@/]+@/gi;

function scrubText(text: string): string {
  return text.replace(URL_PASSWORD, `$1${CENSOR}@`);
}

/** A copy of a log record's value with credentials replaced, however deep and wherever. */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) {
    // pg hangs the whole client (connection state, parameters, queues) on a connection's error.
    const { client: _client, ...serialized } = pino.stdSerializers.err(value) as Record<
      string,
      unknown
    >;
    return scrub(serialized, depth);
  }
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SECRET_KEYS.has(key.toLowerCase()) ? CENSOR : scrub(item, depth + 1),
    ]),
  );
}

/**
 * JSON logs with the active trace and span ids on every line, so a log line joins its trace.
 * CloudEvent id, type and correlation id are added by the kit as child bindings per event.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Credentials never reach the logs: a header, a password, a connection string (a URL's
    // password wherever it is written, the message included) under any key and at any depth.
    serializers: { err: (err: Error) => scrub(err) },
    formatters: {
      level: (label) => ({ level: label }),
      log: (record) => scrub(record) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg)) as typeof args,
        );
      },
    },
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { traceId, spanId };
    },
  });
}

/** Replaces the password of a connection URL, for logging where a service connects to. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = 'redacted';
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}
