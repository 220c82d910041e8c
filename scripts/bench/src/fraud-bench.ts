import http from 'node:http';
import { loadRouting } from '@eventline/routing';
import { startLocalSystem, type LocalSystem } from '@eventline/runtime';
import { createPool, type Pool } from '@eventline/store';
import { createTestDatabase, uniqueName } from '@eventline/testing';
import { cpuSnapshot, cpuUsedBetween } from './cpu-accounting';
import { countUntil, offerLoad, summarize, type LatencySummary } from './latency';

export interface FraudBenchOptions {
  databaseUrl: string;
  redisUrl: string;
  kafkaBrokers: string;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  /** customers the transactions spread over, so each builds a history and velocity */
  customers: number;
}

export interface FraudBenchResult {
  offered: number;
  accepted: number;
  /** answers other than 202, by status or error code */
  refused: Record<string, number>;
  decided: number;
  decisions: Record<string, number>;
  submittedToDecided: LatencySummary;
  /** CPU milliseconds per accepted transaction, by process, over the measured window */
  cpuMsPerTransaction: Array<[string, number]>;
}

const DECIDED_WAIT_MS = 60_000;

/** Submits transactions at the offered rate; ids are `<batch>-<n>` to tell batches apart. */
async function submitTransactions(
  system: LocalSystem,
  agent: http.Agent,
  batch: string,
  options: Pick<FraudBenchOptions, 'rate' | 'customers'>,
  seconds: number,
): Promise<{ accepted: number; refused: Record<string, number>; windowMs: number }> {
  let accepted = 0;
  let answered = 0;
  const refused: Record<string, number> = {};
  const refuse = (why: string) => {
    refused[why] = (refused[why] ?? 0) + 1;
    answered += 1;
  };
  const windowMs = await offerLoad(
    options.rate,
    seconds,
    (i) => {
      const request = http.request(`${system.edgeUrl}/transactions`, {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json' },
      });
      request.on('response', (response) => {
        if (response.statusCode === 202) {
          accepted += 1;
          answered += 1;
        } else refuse(String(response.statusCode));
        response.resume();
      });
      request.on('error', (err: NodeJS.ErrnoException) => refuse(err.code ?? err.message));
      request.end(
        JSON.stringify({
          transactionId: `${batch}-${i}`,
          customerId: `customer-${i % options.customers}`,
          amount: 500 + ((i * 7919) % 20_000),
          currency: 'EUR',
          merchant: `merchant-${(i * 31) % 50}`,
          country: i % 20 === 0 ? 'US' : 'FR',
          at: new Date().toISOString(),
        }),
      );
    },
    () => answered,
  );
  return { accepted, refused, windowMs };
}

function decidedTransactions(pool: Pool, batch: string, expected: number): Promise<number> {
  return countUntil(
    async () => {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM fraud.transactions WHERE decided_at IS NOT NULL AND transaction_id LIKE $1`,
        [`${batch}-%`],
      );
      return rows[0]?.n ?? 0;
    },
    expected,
    DECIDED_WAIT_MS,
  );
}

/**
 * Fraud scoring end to end: the edge, enrich, score and decide each their own process on real
 * Kafka, Postgres and Redis. A warm-up batch is decided first, then the measured batch; latency
 * is submitted (the edge's transaction) → decided (the decide handler's), as Postgres records
 * them, so polling does not distort it.
 */
export async function runFraudBench(options: FraudBenchOptions): Promise<FraudBenchResult> {
  const database = await createTestDatabase(options.databaseUrl, 'fraudbench');
  const routing = loadRouting();
  const system = await startLocalSystem({
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: options.redisUrl,
      REDIS_KEY_PREFIX: `${uniqueName('fraudbench')}:`,
      KAFKA_BROKERS: options.kafkaBrokers,
      LOG_LEVEL: 'error',
      // A burst of one customer is the rule's to review; the bench spreads load evenly instead.
      FRAUD_MAX_PER_MINUTE: '1000',
    },
    routing: {
      ...routing,
      handlers: routing.handlers.filter((h) => h.package === 'fraud' || h.name === 'dead-letters'),
    },
    topology: 'processes',
    namespace: uniqueName('fraudbench'),
    edgePort: 0,
  });
  const pool = createPool(database.url, { max: 2 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const processes = (): Array<[string, number | undefined]> => [
    ['broker, gateway and load generator', process.pid],
    ...[...system.processes].map(([name, child]): [string, number | undefined] => [
      name,
      child.pid,
    ]),
  ];
  try {
    if (options.warmupSeconds > 0) {
      const warmup = await submitTransactions(
        system,
        agent,
        'warmup',
        options,
        options.warmupSeconds,
      );
      await decidedTransactions(pool, 'warmup', warmup.accepted);
    }
    const before = cpuSnapshot(processes());
    const { accepted, refused, windowMs } = await submitTransactions(
      system,
      agent,
      'measured',
      options,
      options.seconds,
    );
    const decided = await decidedTransactions(pool, 'measured', accepted);
    const cpu = cpuUsedBetween(before, cpuSnapshot(processes()));
    const { rows } = await pool.query<{ decision: string; latency_ms: number }>(
      `SELECT decision, EXTRACT(EPOCH FROM (decided_at - submitted_at)) * 1000 AS latency_ms
         FROM fraud.transactions WHERE decided_at IS NOT NULL AND transaction_id LIKE 'measured-%'`,
    );
    const decisions: Record<string, number> = {};
    for (const row of rows) decisions[row.decision] = (decisions[row.decision] ?? 0) + 1;
    return {
      offered: options.rate * options.seconds,
      accepted,
      refused,
      decided,
      decisions,
      submittedToDecided: summarize(
        rows.map((r) => Number(r.latency_ms)),
        windowMs,
      ),
      cpuMsPerTransaction: cpu.map(([name, seconds]) => [
        name,
        (seconds * 1000) / Math.max(accepted, 1),
      ]),
    };
  } finally {
    agent.destroy();
    await pool.end();
    await system.stop();
    await database.drop();
  }
}
