import fc from 'fast-check';
import { loadRouting, type Routing } from '@eventline/routing';
import { startLocalSystem, type LocalSystem } from '@eventline/runtime';
import {
  createTestDatabase,
  eventually,
  testServerEnv,
  uniqueName,
  type TestDatabase,
} from '@eventline/testing';
import { BODY_LIMIT_BYTES, INJECTION_NAMES } from './arbitraries';
import { sendRaw, type RawRequest, type RawResponse } from './raw-http';

/**
 * Every run tries the same cases unless FAST_CHECK_SEED says otherwise; a failure prints the seed
 * and the counterexample's path, and FAST_CHECK_SEED (with FAST_CHECK_PATH) runs exactly it again.
 */
export const SEED = process.env.FAST_CHECK_SEED ? Number(process.env.FAST_CHECK_SEED) : 15_003;
/** generated cases per surface (at least 200 when set lower, the suite's floor) */
export const RUNS = Math.max(200, Number(process.env.BAD_INPUT_RUNS ?? 300));

const clip = (text: string, max = 300) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;

/** A case as a failure prints it: bodies and values of thousands of characters cut short. */
export function describeCase(badCase: BadCase): string {
  const { request, names } = badCase;
  const head = request.headers.map(([n, v]) => `${n}: ${JSON.stringify(clip(v, 120))}`);
  // what else a surface's case says about itself (the handler it is sent to)
  const about = Object.entries(badCase).filter(([, v]) => typeof v === 'string');
  return [
    ...about.map(([k, v]) => `${k} ${String(v)}`),
    `${request.method} ${clip(request.target, 200)}${request.chunked ? ' (chunked)' : ''}`,
    ...head,
    `body ${JSON.stringify(clip(request.body.toString('latin1')))}`,
    `a refusal must name one of: ${names.join(', ') || '(anything)'}`,
  ].join('\n  ');
}

/**
 * fast-check's parameters for one surface's property: the seed printed, so a log reproduces it,
 * and a failure reported as the request it sent.
 */
export function runParameters<T extends BadCase>(surface: string): fc.Parameters<[T]> {
  console.log(`bad-input ${surface}: ${RUNS} cases, FAST_CHECK_SEED=${SEED}`);
  return {
    seed: SEED,
    numRuns: RUNS,
    ...(process.env.FAST_CHECK_PATH ? { path: process.env.FAST_CHECK_PATH } : {}),
    asyncReporter: async (details) => {
      if (!details.failed) return;
      const [failing] = details.counterexample ?? [];
      throw new Error(
        [
          `${surface}: case ${details.numRuns} of ${RUNS} broke the rule after ${details.numShrinks} shrinks`,
          `  ${failing ? describeCase(failing) : '(no counterexample)'}`,
          `  ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.error)}`,
          `reproduce: FAST_CHECK_SEED=${details.seed} FAST_CHECK_PATH=${details.counterexamplePath} npx jest test/bad-input`,
        ].join('\n'),
      );
    },
  };
}

/** The token of an external sender granted every type, as a producer outside routing would be. */
export const SENDER_TOKEN = 'bad-input-sender-token-0001';

export interface BadInputWorld {
  system: LocalSystem;
  database: TestDatabase;
  stop(): Promise<void>;
}

/**
 * The routing file with every job ticking once a year (a case that is a job's tick runs it) and
 * the raw telemetry topic made the run's own.
 */
function routingOfRun(rawTopic: string): Routing {
  const routing = loadRouting();
  return {
    ...routing,
    handlers: routing.handlers.map((h) => ({
      ...h,
      ...(h.ping ? { ping: { ...h.ping, schedule: '0 0 1 1 *' } } : {}),
      ...(h.name === 'raw-telemetry-intake'
        ? { filters: [{ suffix: { source: `/kafkasources/telemetry-raw#${rawTopic}` } }] }
        : {}),
    })),
    kafkaSources: routing.kafkaSources.map((s) =>
      s.name === 'telemetry-raw' ? { ...s, topics: [rawTopic] } : s,
    ),
  };
}

/**
 * The whole system in this process on the real Postgres, Redis and Kafka: a crash of any handler,
 * the broker or the gateway is a crash of the test, and nothing restarts it.
 */
export async function startBadInputWorld(): Promise<BadInputWorld> {
  // The orders edge refuses orders while steps wait long; hostile cases must not make it refuse
  // the closing order, and settings are read from the process environment at first use.
  process.env.ORDERS_ADMISSION_MAX_STEP_WAIT_MS = '0';
  const servers = testServerEnv();
  const database = await createTestDatabase(servers.databaseUrl, 'badinput');
  const namespace = uniqueName('badinput');
  const system = await startLocalSystem({
    routing: routingOfRun(uniqueName('eventline.telemetry.raw')),
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: servers.redisUrl,
      REDIS_KEY_PREFIX: `${namespace}:`,
      KAFKA_BROKERS: servers.kafkaBrokers,
      LOG_LEVEL: process.env.TEST_HANDLER_LOG_LEVEL ?? 'fatal',
      EVENTLINE_BODY_LIMIT: `${BODY_LIMIT_BYTES / 1024}kb`,
      EVENTLINE_SENDERS: JSON.stringify({ 'bad-input': { token: SENDER_TOKEN, emits: ['*'] } }),
    },
    topology: 'in-process',
    namespace,
    edgePort: 0,
  });
  return {
    system,
    database,
    stop: async () => {
      await system.stop();
      await database.drop();
    },
  };
}

/** A case and what its answer must say when it is a refusal. */
export interface BadCase {
  request: RawRequest;
  /** words of which a refusal's error must contain one (case-insensitive): the field, attribute or header */
  names: readonly string[];
  /** the request the case departs from: a refusal it gets too is about state, not the input */
  valid?: RawRequest;
}

/** Whether `text` has `word` on its own, not inside a longer word ("id" is not in "invalid"). */
function namesWord(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const before = /^[a-z0-9]/i.test(word) ? '(?<![a-z0-9])' : '';
  const after = /[a-z0-9]$/i.test(word) ? '(?![a-z0-9])' : '';
  return new RegExp(`${before}${escaped}${after}`, 'i').test(text);
}

/**
 * Why an answer breaks the rule, or nothing: a 2xx, or a 4xx in JSON whose `error` names the
 * problem. A 5xx, an answer that is not JSON or an error that names nothing is a finding.
 */
export function answerProblem(answer: RawResponse, names: readonly string[]): string | undefined {
  if (answer.status >= 200 && answer.status < 300) return undefined;
  if (answer.status < 400 || answer.status >= 500)
    return `answered ${answer.status}: ${answer.body}`;
  let error: unknown;
  try {
    error = (JSON.parse(answer.body) as { error?: unknown }).error;
  } catch {
    return `answered ${answer.status} with a body that is not JSON: ${JSON.stringify(answer.body)}`;
  }
  if (typeof error !== 'string' || error.length === 0)
    return `answered ${answer.status} without an error: ${answer.body}`;
  // Any case may grow past the body limit; a 413 naming the size names its problem.
  if (answer.status === 413 && /larger than/.test(error)) return undefined;
  const named = names.filter((name) => name.length > 0);
  if (named.length > 0 && !named.some((name) => namesWord(error, name)))
    return `answered ${answer.status} with an error naming none of ${named.join(', ')}: ${error}`;
  return undefined;
}

/**
 * Sends a case and fails naming what is wrong with its answer. A refusal that does not name the
 * case's flaw (or a redirect) passes only if the valid request it departs from is answered the
 * same way right then (a 404 for an id nothing has, a review of a transaction not in review):
 * just after the case, or, for a read, just before it too, since an earlier case's write may
 * land in between (a flag put by one case is read by the next).
 */
export async function checkCase(url: string, badCase: BadCase): Promise<void> {
  const { valid } = badCase;
  const before =
    valid && (valid.method === 'GET' || valid.method === 'HEAD')
      ? await sendRaw(url, valid)
      : undefined;
  const answer = await sendRaw(url, badCase.request);
  // A line break in any header value is an injection, whatever the case set out to change.
  const injected = badCase.request.headers.some(([, value]) => /[\r\n]/.test(value));
  const problem = answerProblem(
    answer,
    injected ? [...badCase.names, ...INJECTION_NAMES] : badCase.names,
  );
  if (!problem) return;
  if (valid && answer.status >= 300 && answer.status < 500) {
    const after = await sendRaw(url, valid);
    // A redirect's body follows the Accept header (a case may change it); where it points does not.
    const sameAs = (usual: RawResponse) =>
      usual.status === answer.status &&
      (answer.status < 400
        ? usual.headers.location === answer.headers.location
        : usual.body === answer.body);
    if (sameAs(after) || (before && sameAs(before))) return;
  }
  throw new Error(problem);
}

/** The closing check of every surface: after all of it, an order still goes through end to end. */
export async function orderCompletes(world: BadInputWorld): Promise<string> {
  const edge = world.system.edgeUrl;
  const sku = uniqueName('after-bad-input');
  const stock = await fetch(`${edge}/inventory/${sku}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ available: 5 }),
  });
  if (stock.status !== 200) throw new Error(`set stock: ${stock.status} ${await stock.text()}`);
  const placed = await fetch(`${edge}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      customerId: 'c-after',
      region: 'eu-west',
      items: [{ sku, quantity: 1, unitPrice: 250 }],
    }),
  });
  if (placed.status !== 202)
    throw new Error(`place order: ${placed.status} ${await placed.text()}`);
  const { orderId } = (await placed.json()) as { orderId: string };
  return eventually(
    async () => {
      const view = await fetch(`${edge}/orders/${orderId}`);
      if (view.status !== 200) return undefined;
      const { status } = (await view.json()) as { status: string };
      return status === 'PENDING' ? undefined : status;
    },
    60_000,
    50,
  );
}
