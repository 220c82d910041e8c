import http from 'node:http';
import { startLocalSystem, type LocalSystem } from '@eventline/runtime';
import { createPool, type Pool } from '@eventline/store';
import { createTestDatabase, uniqueName } from '@eventline/testing';
import { cpuSnapshot, cpuUsedBetween } from './cpu-accounting';
import { countUntil, type LatencySummary } from './latency';
import { postAtRate, settledOrders, type Answers } from './order-load';
import { statementSnapshot, statementWorkBetween, type StatementWork } from './statement-stats';

export interface SagaBenchOptions {
  databaseUrl: string;
  redisUrl: string;
  kafkaBrokers: string;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  /** skus the orders spread over: 1 is a flash sale, where every order locks one stock row */
  skus: number;
}

export interface SagaBenchResult {
  offered: number;
  accepted: number;
  /** requests not accepted, by HTTP status or error code (429: shed by admission control) */
  refused: Record<string, number>;
  terminal: number;
  statuses: Record<string, number>;
  placeToTerminal: LatencySummary;
  /** CPU milliseconds per accepted order, by process, over the measured window */
  cpuMsPerOrder: Array<[string, number]>;
  /** events the broker carried per accepted order over the measured window */
  eventsPerOrder: number;
  /** Postgres statements over the measured window; undefined without pg_stat_statements */
  statements: StatementWork[] | undefined;
}

const TERMINAL_WAIT_MS = 60_000;

const skuName = (n: number) => (n === 0 ? 'flash' : `flash-${n}`);

/** Places orders at the offered rate; customers are named `<batch>-<n>` to tell batches apart. */
function placeOrders(
  system: LocalSystem,
  agent: http.Agent,
  batch: string,
  options: Pick<SagaBenchOptions, 'rate' | 'skus'>,
  seconds: number,
): Promise<Answers> {
  return postAtRate(
    agent,
    options.rate,
    seconds,
    () => `${system.edgeUrl}/orders`,
    (i) => ({
      customerId: `${batch}-${i}`,
      region: 'eu-west',
      items: [{ sku: skuName(i % options.skus), quantity: 1, unitPrice: 1999 }],
    }),
    (status) => status === 202,
  );
}

function terminalOrders(pool: Pool, batch: string, expected: number): Promise<number> {
  return countUntil(
    async () => {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM orders.order_view WHERE status <> 'PENDING' AND customer_id LIKE $1`,
        [`${batch}-%`],
      );
      return rows[0]?.n ?? 0;
    },
    expected,
    TERMINAL_WAIT_MS,
  );
}

/**
 * A flash sale end to end: every handler its own process on real Kafka, Postgres and Redis.
 * A warm-up batch runs to completion first (JIT, connection pools, Kafka fetch sessions), then
 * the measured batch; latency is order placed → terminal status as the read model records it
 * (placed_at → updated_at of the terminal event), so polling does not distort it. CPU time of
 * every process over the measured batch says where the time goes.
 */
export async function runSagaBench(options: SagaBenchOptions): Promise<SagaBenchResult> {
  const database = await createTestDatabase(options.databaseUrl, 'sagabench');
  const system = await startLocalSystem({
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: options.redisUrl,
      REDIS_KEY_PREFIX: `${uniqueName('sagabench')}:`,
      KAFKA_BROKERS: options.kafkaBrokers,
      LOG_LEVEL: 'error',
      PAYMENT_LATENCY_MS: '1',
    },
    topology: 'processes',
    namespace: uniqueName('sagabench'),
    edgePort: 0,
  });
  const pool = createPool(database.url, { max: 2 });
  const server = createPool(options.databaseUrl, { max: 1 });
  const databaseName = new URL(database.url).pathname.slice(1);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const processes = (): Array<[string, number | undefined]> => [
    ['broker, gateway and load generator', process.pid],
    ...[...system.processes].map(([name, child]): [string, number | undefined] => [
      name,
      child.pid,
    ]),
  ];
  try {
    for (let n = 0; n < options.skus; n += 1) {
      await fetch(`${system.edgeUrl}/inventory/${skuName(n)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ available: 1_000_000 }),
      });
    }
    if (options.warmupSeconds > 0) {
      const warmup = await placeOrders(system, agent, 'warmup', options, options.warmupSeconds);
      await terminalOrders(pool, 'warmup', warmup.accepted);
    }
    const statementsBefore = await statementSnapshot(server, databaseName);
    const before = cpuSnapshot(processes());
    const eventsBefore = system.broker.eventsAppended;
    const { accepted, refused, windowMs } = await placeOrders(
      system,
      agent,
      'measured',
      options,
      options.seconds,
    );
    const terminal = await terminalOrders(pool, 'measured', accepted);
    const cpu = cpuUsedBetween(before, cpuSnapshot(processes()));
    const events = system.broker.eventsAppended - eventsBefore;
    const statementsAfter = await statementSnapshot(server, databaseName);
    const settled = await settledOrders(
      pool,
      'orders.order_view',
      "customer_id LIKE 'measured-%'",
      windowMs,
    );
    return {
      offered: options.rate * options.seconds,
      accepted,
      refused,
      terminal,
      ...settled,
      cpuMsPerOrder: cpu.map(([name, seconds]) => [name, (seconds * 1000) / Math.max(accepted, 1)]),
      eventsPerOrder: events / Math.max(accepted, 1),
      statements:
        statementsBefore && statementsAfter
          ? statementWorkBetween(statementsBefore, statementsAfter)
          : undefined,
    };
  } finally {
    agent.destroy();
    await pool.end();
    await server.end();
    await system.stop();
    await database.drop();
  }
}
