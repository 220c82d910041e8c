import { startLocalSystem, type LocalSystem } from '@eventline/runtime';
import { createPool, type Pool } from '@eventline/store';
import { startTelemetry } from '@eventline/telemetry';
import { createTestDatabase, uniqueName } from '@eventline/testing';
import {
  doubleEffects,
  reconcile,
  totalDoubleEffects,
  type DoubleEffects,
  type Reconciliation,
} from './books';
import { startCampaignServers, type CampaignServers } from './campaign-servers';
import { SCENARIOS, type Scenario } from './scenarios';
import { scrapedSum } from './scraped-counters';
import {
  FAILING_REGION,
  PROBE_STOCK,
  SteadyOrders,
  catalogueFor,
  orderOf,
  placeOrder,
  probeOrder,
  seededRandom,
  type StockedSku,
} from './steady-orders';

export interface CampaignOptions {
  /** how long each scenario's fault goes on, and the load past the fault's start */
  scenarioSeconds: number;
  /** orders offered per second */
  rate: number;
  /** an accepted order not terminal this long after the load stopped is lost */
  recoveryWindowMs: number;
  /** the scenarios to run, by name; all by default */
  only?: string[];
  /** extra environment for every handler process */
  env?: NodeJS.ProcessEnv;
  log(line: string): void;
}

export interface ScenarioResult {
  scenario: string;
  fault: string;
  offered: number;
  accepted: number;
  refused: Record<string, number>;
  /** accepted orders (the load's and the probes') that reached a terminal status */
  terminal: number;
  /** accepted orders (the load's and the probes') not terminal after the recovery window */
  lost: number;
  statuses: Record<string, number>;
  doubleEffects: DoubleEffects;
  books: Reconciliation;
  /** deliveries the broker retried during the scenario (for kill-dispatcher: the new dispatcher's) */
  retried: number;
  /**
   * handler processes that had run before the scenario and were started again during it, less
   * the ones the fault killed: processes that crashed under the fault
   */
  crashes: number;
  /** from the fault's end until a probe placed after it completed; undefined: none did */
  recoveryMs: number | undefined;
  evidence: string;
  problems: string[];
}

/** The campaign's two lengths: `npm run faults`, and its short mode (`--short`, `npm test`). */
export const FULL_MODE = { scenarioSeconds: 60, recoveryWindowMs: 120_000 };
export const SHORT_MODE = { scenarioSeconds: 15, recoveryWindowMs: 60_000 };
/** Orders offered per second by default: a steady load the two cores CI has can carry. */
export const DEFAULT_RATE = 15;

/** Lost orders, double effects, books that do not add up or a fault that misfired. */
export function scenarioFailed(result: ScenarioResult): boolean {
  return (
    result.lost > 0 ||
    totalDoubleEffects(result.doubleEffects) > 0 ||
    !result.books.ok ||
    result.problems.length > 0
  );
}

/** The load runs this long before the fault strikes. */
const LEAD_MS = 5000;
/**
 * The jobs a crash leaves work for (outbox rows sent by nobody, saga steps whose answer never
 * comes) tick this often here instead of every minute: a recovery window shorter than two
 * PingSource minutes would otherwise time out what the next tick would have finished.
 */
const JOB_TICK_MS = 5000;
const RECOVERY_JOBS = ['outbox-sweep', 'order-saga-timers'];
const PROBE_EVERY_MS = 1000;
const WARM_UP_MS = 60_000;
/** Money and stock still moving when the last order ended (a late charge refunded, a release) settle within this. */
const BOOKS_SETTLE_MS = 15_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The edge's view of an order's status; undefined when it cannot say now. */
async function statusOf(edgeUrl: string, orderId: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${edgeUrl}/orders/${orderId}`, {
      signal: AbortSignal.timeout(5000),
    });
    return response.ok ? ((await response.json()) as { status: string }).status : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Places a probe order every second from `since` on and resolves with how long after `since` the
 * first of them completed (undefined after `capMs`); the probes' ids go into `probes`.
 */
async function timeToRecover(
  edgeUrl: string,
  since: number,
  capMs: number,
  probes: string[],
): Promise<number | undefined> {
  let completedAt: number | undefined;
  let n = 0;
  const watching = new Set<Promise<void>>();
  const watch = async (orderId: string) => {
    while (completedAt === undefined && Date.now() < since + capMs) {
      const status = await statusOf(edgeUrl, orderId);
      if (status === 'COMPLETED') completedAt ??= Date.now();
      if (status !== undefined && status !== 'PENDING') return;
      await sleep(100);
    }
  };
  while (completedAt === undefined && Date.now() < since + capMs) {
    void placeOrder(edgeUrl, probeOrder(n++)).then((outcome) => {
      if (!('orderId' in outcome)) return;
      probes.push(outcome.orderId);
      const watched = watch(outcome.orderId);
      watching.add(watched);
      void watched.finally(() => watching.delete(watched));
    });
    await sleep(PROBE_EVERY_MS);
  }
  await Promise.all([...watching]);
  return completedAt === undefined ? undefined : completedAt - since;
}

async function terminalCount(pool: Pool, orderIds: string[]): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM orders.order_view WHERE order_id = ANY($1) AND status <> 'PENDING'`,
    [orderIds],
  );
  return rows[0]?.n ?? 0;
}

/** Polls until every order is terminal or `ms` pass; the terminal count. */
async function awaitTerminal(pool: Pool, orderIds: string[], ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  for (;;) {
    const terminal = await terminalCount(pool, orderIds).catch(() => 0);
    if (terminal === orderIds.length || Date.now() > deadline) return terminal;
    await sleep(500);
  }
}

async function statusCounts(pool: Pool, orderIds: string[]): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM orders.order_view WHERE order_id = ANY($1)
      GROUP BY status ORDER BY status`,
    [orderIds],
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

/**
 * The books and the double effects once they settle: read again until the books add up and no
 * effect shows, or BOOKS_SETTLE_MS pass. A compensation still in flight when its order ended
 * (a release after a cancellation) leaves its reservation held for a moment; a second charge
 * or an oversold sku stays, and is reported after the wait.
 */
async function settledBooks(
  pool: Pool,
  orderIds: string[],
  catalogue: StockedSku[],
): Promise<{ books: Reconciliation; effects: DoubleEffects }> {
  const deadline = Date.now() + BOOKS_SETTLE_MS;
  for (;;) {
    const books = await reconcile(pool, orderIds, catalogue);
    const effects = await doubleEffects(pool, orderIds, catalogue);
    if ((books.ok && totalDoubleEffects(effects) === 0) || Date.now() > deadline)
      return { books, effects };
    await sleep(1000);
  }
}

async function setStock(edgeUrl: string, catalogue: StockedSku[]): Promise<void> {
  for (const { sku, stock } of catalogue) {
    const response = await fetch(`${edgeUrl}/inventory/${sku}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ available: stock }),
    });
    if (response.status !== 200) throw new Error(`setting stock of ${sku}: ${response.status}`);
  }
}

/** Attempts after the first that the dispatcher process made so far, from its /metrics. */
function deliveryRetries(system: LocalSystem): Promise<number> {
  return scrapedSum(`${system.dispatcher?.url}/metrics`, 'eventline_broker_delivery_retries_total');
}

/** Repeats `work` every `ms` until the returned function is called; failures are ignored. */
function every(ms: number, work: () => Promise<unknown>): () => void {
  const timer = setInterval(() => void work().catch(() => undefined), ms);
  return () => clearInterval(timer);
}

/** The system every scenario runs on, and a pool on its database for the books. */
export interface CampaignWorld {
  system: LocalSystem;
  pool: Pool;
  servers: CampaignServers;
}

/**
 * The whole system on the campaign's servers: every handler its own OS process behind the
 * activator and the broker's dispatcher an OS process of its own, as in a cluster; its jobs
 * that finish a crash's work tick every JOB_TICK_MS.
 */
async function startCampaignWorld(
  servers: CampaignServers,
  options: CampaignOptions,
): Promise<CampaignWorld & { stop(): Promise<void> }> {
  const database = await createTestDatabase(servers.databaseUrl, 'faults');
  const pool = createPool(database.url, { max: 2, name: 'eventline-faults' });
  // An idle connection the Postgres restart ends is an error event, not a crash of the campaign.
  pool.on('error', () => undefined);
  const system = await startLocalSystem({
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: servers.redisUrl,
      REDIS_KEY_PREFIX: `${uniqueName('faults')}:`,
      KAFKA_BROKERS: servers.kafkaBrokers,
      LOG_LEVEL: process.env.EVENTLINE_FAULTS_LOG_LEVEL ?? 'fatal',
      // The provider's round trip, a window in which a crash leaves a charge the handler never
      // committed: longer (PAYMENT_LATENCY_MS in the campaign's environment) widens it.
      PAYMENT_LATENCY_MS: process.env.PAYMENT_LATENCY_MS ?? '5',
      SHIPMENT_FAILURE_REGIONS: FAILING_REGION,
      // No process scales to zero mid-campaign: a kill's victim is one the load keeps busy.
      EVENTLINE_IDLE_WINDOW_MS: String(60 * 60_000),
      // A crashed holder's outbox rows are the sweep's this soon (see JOB_TICK_MS).
      EVENTLINE_OUTBOX_LEASE_MS: '10000',
      EVENTLINE_OUTBOX_SWEEP_AFTER_MS: '10000',
      ...options.env,
    },
    topology: 'processes',
    dispatcher: 'process',
    namespace: uniqueName('faults'),
    edgePort: 0,
    brokerPort: 0,
  });
  const stopJobs = every(JOB_TICK_MS, () =>
    Promise.all(RECOVERY_JOBS.map((job) => system.pingSources.fire(job))),
  );
  return {
    system,
    pool,
    servers,
    stop: async () => {
      stopJobs();
      await system.stop();
      await pool.end();
      await database.drop();
    },
  };
}

/**
 * How often the activator has started each handler that has run (jobs aside: their processes
 * come and go with every tick).
 */
function startsOfWarmHandlers(system: LocalSystem): Map<string, number> {
  const jobs = new Set(system.pingSources.list().map((job) => job.name));
  const starts = new Map<string, number>();
  for (const name of system.processes.keys()) {
    const count = system.activator?.startsOf(name) ?? 0;
    if (!jobs.has(name) && count > 0) starts.set(name, count);
  }
  return starts;
}

/**
 * One scenario: its own skus stocked, the steady load, the fault LEAD_MS into it, probes from
 * the fault's end until one completes, the load until `scenarioSeconds` after the fault struck,
 * then the recovery window for every accepted order to end, and the books of its orders.
 */
export async function runScenario(
  scenario: Scenario,
  { system, pool, servers }: CampaignWorld,
  options: CampaignOptions,
): Promise<ScenarioResult> {
  const { log } = options;
  const durationMs = options.scenarioSeconds * 1000;
  const expected = (options.rate * (LEAD_MS + durationMs)) / 1000;
  const catalogue = catalogueFor(scenario.name, expected);
  await setStock(system.edgeUrl, catalogue);
  const random = seededRandom(7);
  const load = new SteadyOrders(system.edgeUrl, options.rate, (i) => orderOf(random, i, catalogue));
  const probes: string[] = [];
  const starts = startsOfWarmHandlers(system);
  const dispatcherRestarts = system.dispatcher?.restarts;
  const retriesBefore = await deliveryRetries(system);
  const started = Date.now();
  load.start();
  await sleep(LEAD_MS);
  log(`${scenario.name}: ${scenario.fault}`);
  const outcome = await scenario.inject({
    system,
    servers,
    durationMs,
    log: (line) => log(`${scenario.name}: ${line}`),
  });
  const recovery = timeToRecover(system.edgeUrl, outcome.endedAt, options.recoveryWindowMs, probes);
  await sleep(started + LEAD_MS + durationMs - Date.now());
  await load.stop();
  const loadStoppedAt = Date.now();
  const recoveryMs = await recovery;
  const accepted = [...load.accepted, ...probes];
  const terminal = await awaitTerminal(
    pool,
    accepted,
    loadStoppedAt + options.recoveryWindowMs - Date.now(),
  );
  log(
    `${scenario.name}: ${terminal} of ${accepted.length} accepted orders terminal ${Date.now() - loadStoppedAt} ms after the load stopped`,
  );
  const crashes = [...starts].reduce((sum, [name, before]) => {
    const kills = outcome.killed.filter((victim) => victim === name).length;
    // A kill of a process still starting after the previous kill costs no start of its own.
    return sum + Math.max(0, (system.activator?.startsOf(name) ?? before) - before - kills);
  }, 0);
  const checked = [...catalogue, PROBE_STOCK];
  const { books, effects } = await settledBooks(pool, accepted, checked);
  // Retries count once their delivery ends, so only now; a dispatcher started again counts anew.
  const retriesAfter = await deliveryRetries(system);
  const retried =
    system.dispatcher?.restarts === dispatcherRestarts
      ? retriesAfter - retriesBefore
      : retriesAfter;
  const problems = [...outcome.problems];
  if (scenario.cutsDeliveries && retried === 0)
    problems.push('no delivery was retried: the fault cut no delivery in flight');
  const result: ScenarioResult = {
    scenario: scenario.name,
    fault: scenario.fault,
    offered: load.offered,
    accepted: load.accepted.length,
    refused: load.refused,
    terminal,
    lost: accepted.length - terminal,
    statuses: await statusCounts(pool, accepted),
    doubleEffects: effects,
    books,
    retried,
    crashes,
    recoveryMs,
    evidence: outcome.evidence,
    problems,
  };
  log(`${scenario.name}: ${JSON.stringify(result)}`);
  return result;
}

/**
 * The fault campaign: its own Postgres, Redis and Kafka, one system on them that a first order
 * has gone through, each scenario in turn, then the system stopped and the servers deleted.
 */
export async function runCampaign(options: CampaignOptions): Promise<ScenarioResult[]> {
  // The gateway and activator run in this process: their metrics are its metrics.
  startTelemetry('eventline-faults', { ...process.env, OTEL_METRICS_EXPORTER: 'prometheus' });
  const scenarios = SCENARIOS.filter((s) => !options.only || options.only.includes(s.name));
  const servers = await startCampaignServers(options.log);
  try {
    const world = await startCampaignWorld(servers, options);
    try {
      await setStock(world.system.edgeUrl, [PROBE_STOCK]);
      // Every process along the saga's path starts cold on the first order; the load would find
      // admission control shedding it meanwhile.
      const warm = await timeToRecover(world.system.edgeUrl, Date.now(), WARM_UP_MS, []);
      if (warm === undefined) throw new Error(`no first order completed in ${WARM_UP_MS} ms`);
      options.log(`system started; a first order completed in ${warm} ms`);
      const results: ScenarioResult[] = [];
      for (const scenario of scenarios) results.push(await runScenario(scenario, world, options));
      return results;
    } finally {
      await world.stop();
    }
  } finally {
    await servers.remove();
  }
}
