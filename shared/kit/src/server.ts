import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import {
  answerProtocolErrors,
  InFlightWork,
  InvalidEventError,
  messageOf,
  postMessage,
} from '@eventline/cloudevents-http';
import { Cache, createRedis, type RedisClient } from '@eventline/cache';
import { PingSourcePing } from '@eventline/events';
import {
  commitWithOutbox,
  createPool,
  inSelfCommittingTransaction,
  OutboxRelay,
  outboxSendTimeoutMs,
} from '@eventline/store';
import {
  createLogger,
  inRequestTrace,
  redactUrl,
  serveMetrics,
  startTelemetry,
} from '@eventline/telemetry';
import { cloudEventEndpoint } from './cloudevent-endpoint';
import { jobEndpoint } from './job-endpoint';
import { ConfigError, handlerEnvSchema, readConfig, type HandlerEnv } from './config';
import {
  ANY_EVENT,
  type EdgeContext,
  type HandlerDefinition,
  type ServiceDefinition,
  type TransactionWork,
  type TransactOptions,
} from './definitions';
import { HandlerError, badInput, publicReason, statusFor } from './errors';
import { claimKey, keyedRequest } from './idempotency-key';
import { toCloudEvent } from './outgoing-event';
import { contractSampleRecorder } from './contract-samples';
import { senderHeaders } from './sender-token';
import { unstorableProblem } from './storable-text';
import { recordHandlerDuration, reportOutbox } from './handler-metrics';

export interface RunningHandler {
  name: string;
  url: string;
  port: number;
  /** graceful: refuse new requests, finish in-flight ones, flush the outbox, close pools */
  close(): Promise<void>;
}

/** A request Postgres could not store (U+0000 in path, query or body) is refused naming where. */
const storableRequest: RequestHandler = (req, _res, next) => {
  const problem = /%00/.test(req.path)
    ? 'path holds %00 (U+0000), which cannot be stored'
    : (unstorableProblem(req.query, 'query') ?? unstorableProblem(req.body, 'body'));
  next(problem ? badInput(problem) : undefined);
};

/** Edge routes speak JSON: a body of another type is refused rather than read as no body. */
const requireJsonBody: RequestHandler = (req, res, next) => {
  // Not type-is's hasBody (which req.is uses): it counts `content-length: 0`, which fetch sends on
  // a bare POST such as a replay, as a body.
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
  if (hasBody && !req.is(['json', '+json'])) {
    res.status(415).json({
      error: `content-type must be application/json, not ${req.get('content-type') ?? 'none'}`,
    });
    return;
  }
  next();
};

/**
 * The 4xx status express or a body parser gave what it refused before a route ran: a path
 * parameter that is not percent-encoded UTF-8, a charset or Content-Encoding it cannot read, a
 * body that does not match its Content-Length. Their messages name the problem.
 */
function requestErrorStatus(err: unknown): number | undefined {
  if (err instanceof HandlerError || typeof err !== 'object' || err === null) return undefined;
  const { status } = err as { status?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** a Redis client to share (the embedded stand-in); otherwise REDIS_URL is connected */
  redis?: RedisClient;
}

function handlerNamed(service: ServiceDefinition, name: string): HandlerDefinition {
  const handler = service.handlers.find((h) => h.name === name);
  if (!handler) {
    const known = service.handlers.map((h) => h.name).join(', ');
    throw new ConfigError(
      `EVENTLINE_HANDLER: "${name}" is not a handler of ${service.package} (one of: ${known})`,
    );
  }
  return handler;
}

function sinkFor(handler: HandlerDefinition, config: HandlerEnv): string | undefined {
  if (handler.emits.length > 0 && !config.K_SINK) {
    throw new ConfigError(
      `K_SINK: required because ${handler.name} emits ${handler.emits.map((e) => e.type).join(', ')}`,
    );
  }
  return config.K_SINK;
}

/**
 * Sends an outbox row to K_SINK; a non-2xx answer fails the send so the row stays. A send gives up
 * within the third of its row's lease that the relay leaves it (see OutboxClaim).
 */
function sendingTo(
  sink: string | undefined,
  timeoutMs: number,
  headers: () => Record<string, string> | undefined,
): (json: unknown) => Promise<void> {
  return async (json) => {
    if (!sink) throw new Error('events enqueued without a K_SINK');
    const response = await postMessage(sink, messageOf(json as Record<string, unknown>), {
      timeoutMs,
      headers: headers(),
    });
    if (response.status < 200 || response.status > 299) {
      throw new Error(
        `K_SINK answered ${response.status}: ${response.body.toString('utf8').slice(0, 200)}`,
      );
    }
  };
}

/** Starts one handler of a service as an HTTP server, the way its Knative Service runs it. */
export async function startHandler(
  service: ServiceDefinition,
  name: string,
  options: StartOptions = {},
): Promise<RunningHandler> {
  const config = readConfig(handlerEnvSchema, options.env);
  const handler = handlerNamed(service, name);
  const sink = sinkFor(handler, config);
  startTelemetry(handler.name);
  const log = createLogger(handler.name, config.LOG_LEVEL);
  const pool = createPool(config.DATABASE_URL, {
    max: config.EVENTLINE_DB_POOL_MAX,
    name: handler.name,
  });
  pool.on('error', (err) => log.warn({ err }, 'idle database connection failed'));
  const ownRedis = options.redis
    ? undefined
    : config.REDIS_URL
      ? createRedis(config.REDIS_URL)
      : undefined;
  ownRedis?.on('error', (err) => log.debug({ err }, 'redis connection error'));
  const cache = new Cache(options.redis ?? ownRedis, log, config.REDIS_KEY_PREFIX, handler.name);
  const send = sendingTo(
    sink,
    outboxSendTimeoutMs(config.EVENTLINE_OUTBOX_LEASE_MS),
    senderHeaders(config),
  );
  const relay = new OutboxRelay({
    pool,
    producer: handler.name,
    send,
    onError: (err) => log.warn({ err }, 'outbox delivery failed; will retry'),
    leaseMs: config.EVENTLINE_OUTBOX_LEASE_MS,
  });
  const source = `/eventline/${service.package}/${handler.name}`;
  const onEmitted = config.EVENTLINE_CONTRACT_SAMPLES
    ? contractSampleRecorder(config.EVENTLINE_CONTRACT_SAMPLES, handler.name)
    : undefined;

  let draining = false;
  const inFlight = new InFlightWork();

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (draining) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    try {
      await pool.query('SELECT 1');
      // The pid lets a parent that spawned this process tell it from another on the same port.
      res.json({ status: 'ready', handler: handler.name, pid: process.pid });
    } catch {
      res.status(503).json({ status: 'database unavailable' });
    }
  });
  app.get('/metrics', serveMetrics);
  // A handler that emits nothing has no outbox rows to report.
  const stopReportingOutbox =
    handler.emits.length > 0 ? reportOutbox(handler.name, pool, log) : () => undefined;
  app.use(
    recordHandlerDuration(handler.name, (handler.job ? PingSourcePing : handler.accepts)?.type),
  );
  app.use((_req, res, next) => {
    if (draining) {
      res.status(503).set('connection', 'close').json({ error: 'shutting down' });
      return;
    }
    inFlight.begin();
    res.on('close', () => inFlight.end());
    next();
  });

  const emits = new Map(handler.emits.map((e) => [e.type, e]));
  const transact = async <T>(work: TransactionWork<T>, options: TransactOptions = {}) => {
    const keyed = options.idempotencyKey && keyedRequest(options.idempotencyKey);
    const { result, outbox, emitted } = await inSelfCommittingTransaction(pool, async (tx) => {
      if (keyed) {
        const claim = await claimKey<T>(tx, handler.name, keyed);
        if (claim.repeat) {
          await tx.query('COMMIT');
          return { result: claim.answer, outbox: [], emitted: [] };
        }
      }
      const outcome = await work(tx);
      const emitted = (outcome.emit ?? []).map(
        (e) => toCloudEvent(e, emits, source).toJSON() as Record<string, unknown>,
      );
      const events: unknown[] = [...emitted];
      if (outcome.forward?.length) {
        if (!emits.has(ANY_EVENT.type))
          throw new Error(`${handler.name} forwards events but does not emit ANY_EVENT`);
        events.push(...outcome.forward);
      }
      const keyAnswer = keyed && { key: keyed.key, value: outcome.result };
      const committed = await commitWithOutbox(
        tx,
        handler.name,
        events,
        { keyAnswer },
        relay.claim,
      );
      return { result: outcome.result, outbox: committed, emitted };
    });
    onEmitted?.(emitted);
    relay.publish(outbox);
    return result;
  };
  const context: EdgeContext = { pool, cache, log, transact };
  if (handler.job) {
    app.post(
      '/',
      express.raw({ type: () => true, limit: config.EVENTLINE_BODY_LIMIT }),
      jobEndpoint({
        name: handler.name,
        run: handler.job,
        context: {
          ...context,
          sweepOutbox: (olderThanMs) => relay.sweepAll(olderThanMs),
        },
        log,
      }),
    );
  } else if (handler.accepts && handler.handle) {
    app.post(
      '/',
      express.raw({ type: () => true, limit: config.EVENTLINE_BODY_LIMIT }),
      cloudEventEndpoint({
        handler: { ...handler, accepts: handler.accepts, handle: handler.handle },
        pool,
        cache,
        log,
        source,
        claim: relay.claim,
        onCommitted: (outbox) => relay.publish(outbox),
        onEmitted,
      }),
    );
  }
  if (handler.routes) {
    const router = express.Router();
    // An edge request starts the trace its events carry (see inRequestTrace).
    router.use((req, _res, next) => inRequestTrace(req.headers.traceparent, next));
    router.use(
      requireJsonBody,
      // The types requireJsonBody lets through, so that none of them arrives unread as no body.
      express.json({ limit: config.EVENTLINE_BODY_LIMIT, type: ['json', '+json'] }),
      storableRequest,
    );
    handler.routes(router, context);
    app.use(router);
  }
  app.use((req, res) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
  });

  const answerErrors: ErrorRequestHandler = (err, _req, res, _next) => {
    if (err instanceof InvalidEventError) {
      res.status(400).json({ error: err.message });
      return;
    }
    if (err?.type === 'entity.too.large') {
      res.status(413).json({ error: `request body larger than ${config.EVENTLINE_BODY_LIMIT}` });
      return;
    }
    if (err?.type === 'entity.parse.failed') {
      res.status(400).json({ error: `malformed JSON: ${err.message}` });
      return;
    }
    const refused = requestErrorStatus(err);
    if (refused) {
      res.status(refused).json({ error: err.message });
      return;
    }
    const status = statusFor(err);
    if (status >= 500) log.error({ err }, 'request failed');
    else log.info({ status, reason: publicReason(err) }, 'request rejected');
    if (err instanceof HandlerError && err.retryAfterSeconds !== undefined)
      res.set('retry-after', String(err.retryAfterSeconds));
    res.status(status).json({ error: publicReason(err) });
  };
  app.use(answerErrors);

  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(config.PORT, config.HOST, () => resolve(listening));
    listening.once('error', reject);
  });
  answerProtocolErrors(server);
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  log.info(
    {
      port,
      database: redactUrl(config.DATABASE_URL),
      redis: config.REDIS_URL ? redactUrl(config.REDIS_URL) : options.redis ? 'shared' : 'none',
      sink,
    },
    'handler ready',
  );

  const drainAndClose = async () => {
    draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await inFlight.settled(config.EVENTLINE_DRAIN_TIMEOUT_MS);
    server.closeAllConnections();
    await closed;
    await relay.stop();
    stopReportingOutbox();
    await pool.end();
    await ownRedis?.quit().catch(() => undefined);
    log.info('handler stopped');
  };
  // Stop signals come in pairs (Ctrl-C's SIGINT, then the parent's SIGTERM): one drain serves both.
  let closing: Promise<void> | undefined;
  return {
    name: handler.name,
    port,
    url: `http://${host}:${port}`,
    close: () => (closing ??= drainAndClose()),
  };
}
