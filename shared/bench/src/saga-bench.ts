import http from 'node:http';
import { startLocalSystem } from '@eventline/runtime';
import { createPool } from '@eventline/store';
import { createTestDatabase, uniqueName } from '@eventline/testing';
import { offerLoad, summarize, type LatencySummary } from './latency';

export interface SagaBenchOptions {
  databaseUrl: string;
  redisUrl: string;
  kafkaBrokers: string;
  rate: number;
  seconds: number;
}

export interface SagaBenchResult {
  offered: number;
  accepted: number;
  terminal: number;
  statuses: Record<string, number>;
  placeToTerminal: LatencySummary;
}

/**
 * A flash sale end to end: every handler its own process on real Kafka, Postgres and Redis,
 * orders offered at a fixed rate; latency is order placed → terminal status, as recorded by the
 * read model (placed_at → updated_at of the terminal event), so the bench does not poll.
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
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  try {
    await fetch(`${system.edgeUrl}/inventory/flash`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ available: 1_000_000 }),
    });
    let accepted = 0;
    let answered = 0;
    const body = (i: number) =>
      JSON.stringify({
        customerId: `c-${i}`,
        region: 'eu-west',
        items: [{ sku: 'flash', quantity: 1, unitPrice: 1999 }],
      });
    const windowMs = await offerLoad(
      options.rate,
      options.seconds,
      (i) => {
        const request = http.request(`${system.edgeUrl}/orders`, {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json' },
        });
        request.on('response', (response) => {
          if (response.statusCode === 202) accepted += 1;
          answered += 1;
          response.resume();
        });
        request.on('error', () => (answered += 1));
        request.end(body(i));
      },
      () => answered,
    );
    const offered = options.rate * options.seconds;
    const deadline = Date.now() + 60_000;
    let terminal = 0;
    while (Date.now() < deadline) {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM orders.order_view WHERE status <> 'PENDING'`,
      );
      terminal = rows[0]?.n ?? 0;
      if (terminal >= accepted) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const { rows } = await pool.query<{ status: string; latency_ms: number }>(
      `SELECT status, EXTRACT(EPOCH FROM (updated_at - placed_at)) * 1000 AS latency_ms FROM orders.order_view WHERE status <> 'PENDING'`,
    );
    const statuses: Record<string, number> = {};
    for (const row of rows) statuses[row.status] = (statuses[row.status] ?? 0) + 1;
    return {
      offered,
      accepted,
      terminal,
      statuses,
      placeToTerminal: summarize(
        rows.map((r) => Number(r.latency_ms)),
        windowMs,
      ),
    };
  } finally {
    agent.destroy();
    await pool.end();
    await system.stop();
    await database.drop();
  }
}
