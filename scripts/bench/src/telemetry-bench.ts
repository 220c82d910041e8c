import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { HandlerProcess, serviceEntryPoint } from '@eventline/runtime';
import { createTestDatabase, type TestServers } from '@eventline/testing';

/** What a handler process is run with: telemetry as the environment sets it. */
const CONFIGURATIONS: Array<{ name: string; env: (otlp: string) => NodeJS.ProcessEnv }> = [
  { name: 'no metrics, no trace export', env: () => ({ OTEL_METRICS_EXPORTER: 'none' }) },
  { name: 'metrics (default), no trace export', env: () => ({}) },
  {
    name: 'metrics and trace export (OTLP http/protobuf)',
    env: (otlp) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp }),
  },
];

const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticks;
}

/** Answers 202 to every POST: the broker ingress (K_SINK) and the OTLP receiver, at no cost. */
async function startSink(): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(req.url === '/v1/traces' ? 200 : 202).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  };
}

/** `count` requests, `concurrency` at a time. */
async function drive(count: number, concurrency: number, send: (n: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await send(next++);
    }),
  );
}

export interface TelemetryCostRow {
  handler: string;
  configuration: string;
  requests: number;
  /** CPU per request of each round, in µs */
  rounds: number[];
}

/**
 * A handler process's CPU per request under each telemetry configuration: flags-api's PUT (an
 * edge route: a transaction with an outbox row, sent to K_SINK) and flags-projection's
 * CloudEvent (a claimed transaction and a cache refresh in Redis).
 */
export async function runTelemetryBench(
  servers: TestServers,
  options: { requests: number; warmup: number; concurrency: number; rounds: number },
): Promise<TelemetryCostRow[]> {
  const database = await createTestDatabase(servers.databaseUrl, 'telemetry_bench');
  // The image's own migration step, as the chart's hook Job runs it.
  execFileSync(process.execPath, [serviceEntryPoint('flags'), 'migrate'], {
    env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' },
    stdio: 'inherit',
  });
  const sink = await startSink();
  const rows: TelemetryCostRow[] = [];
  const requests: Record<string, (url: string, n: number, run: string) => Promise<void>> = {
    'flags-api': async (url, n, run) => {
      const response = await fetch(`${url}/flags/bench-${run}-${n}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: n % 2 === 0 }),
      });
      if (response.status !== 202) throw new Error(`flags-api answered ${response.status}`);
      await response.arrayBuffer();
    },
    'flags-projection': async (url, n, run) => {
      const response = await fetch(`${url}/`, {
        method: 'POST',
        headers: {
          'ce-specversion': '1.0',
          'ce-id': randomUUID(),
          'ce-source': '/bench',
          'ce-type': 'dev.eventline.flags.changed',
          'ce-traceparent': '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          key: `bench-${run}-${n}`,
          enabled: true,
          version: 1,
          changedAt: new Date().toISOString(),
        }),
      });
      if (response.status >= 300) throw new Error(`flags-projection answered ${response.status}`);
      await response.arrayBuffer();
    },
  };
  const rowOf = (handler: string, configuration: string) => {
    let row = rows.find((r) => r.handler === handler && r.configuration === configuration);
    if (!row) {
      row = { handler, configuration, requests: options.requests, rounds: [] };
      rows.push(row);
    }
    return row;
  };
  try {
    // Rounds alternate the configurations, so a busy spell of the machine falls on all of them.
    for (let round = 0; round < options.rounds; round += 1) {
      for (const [handler, request] of Object.entries(requests)) {
        for (const configuration of CONFIGURATIONS) {
          const child = new HandlerProcess(
            handler,
            serviceEntryPoint('flags'),
            {
              ...process.env,
              DATABASE_URL: database.url,
              REDIS_URL: servers.redisUrl,
              REDIS_KEY_PREFIX: `telemetry-bench-${randomUUID()}:`,
              K_SINK: sink.url,
              LOG_LEVEL: 'warn',
              OTEL_BSP_SCHEDULE_DELAY: '1000',
              ...configuration.env(sink.url),
            },
            (line) => process.stderr.write(`[${handler}] ${line}\n`),
          );
          await child.start();
          try {
            const run = randomUUID().slice(0, 8);
            await drive(options.warmup, options.concurrency, (n) =>
              request(child.url, n, `${run}w`),
            );
            const before = cpuSeconds(child.pid as number);
            await drive(options.requests, options.concurrency, (n) => request(child.url, n, run));
            const used = cpuSeconds(child.pid as number) - before;
            rowOf(handler, configuration.name).rounds.push((used / options.requests) * 1e6);
          } finally {
            await child.kill('SIGTERM');
          }
        }
      }
    }
  } finally {
    sink.close();
    await database.drop();
  }
  return rows;
}
