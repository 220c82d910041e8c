import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { freePort } from '@eventline/runtime';
import { createTestDatabase } from '@eventline/testing';
import { ms, percentile } from './latency';

/** The handler started: it answers the FeatureFlagChanged events the bench sends. */
const HANDLER = 'flags-projection';

export interface ColdStartBenchOptions {
  databaseUrl: string;
  redisUrl: string;
  /** starts of each process, alternating */
  starts: number;
  /** the flags service's entry point, as its image runs it */
  entryPoint: string;
  /** OTEL_METRICS_EXPORTER: the chart's `prometheus` (metrics.enabled), or `none` */
  metricsExporter: string;
}

/** Milliseconds from spawn to the first answer, one per start. */
export interface ColdStartBenchResult {
  bare: number[];
  handler: number[];
}

/** What the chart's ConfigMap and Service give a handler when no OpenTelemetry endpoint is set. */
function chartEnv(handler: string, metricsExporter: string): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    EVENTLINE_HANDLER: handler,
    OTEL_SERVICE_NAME: handler,
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: metricsExporter,
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '1.0',
    OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=eventline',
  };
}

let eventNumber = 0;

/** POSTs a binary-mode FeatureFlagChanged, on a connection of its own; resolves with the status. */
function postEvent(port: number): Promise<number> {
  eventNumber += 1;
  const data = JSON.stringify({
    key: `coldstart-${eventNumber}`,
    enabled: true,
    version: 1,
    changedAt: new Date().toISOString(),
  });
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'ce-specversion': '1.0',
          'ce-id': `coldstart-${process.pid}-${eventNumber}`,
          'ce-source': '/bench/coldstart',
          'ce-type': 'dev.eventline.flags.changed',
        },
      },
      (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.once('error', reject);
    request.end(data);
  });
}

/**
 * Milliseconds from spawning `node <entry>` to the first CloudEvent it answers with a 2xx. The
 * event is sent again every millisecond while the port refuses connections, as an activator
 * holding the first request would forward it as soon as the pod listens.
 */
async function timeColdStart(entry: string, env: NodeJS.ProcessEnv): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [entry], {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    }),
  );
  try {
    for (;;) {
      if (exit) throw new Error(`${entry} exited before answering (${exit}): ${stderr}`);
      try {
        const status = await postEvent(port);
        if (status < 200 || status > 299) throw new Error(`${entry} answered ${status}`);
        return performance.now() - started;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw err;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
  } finally {
    if (!exit) child.kill('SIGTERM');
    await exited;
  }
}

/** Runs the package's migrations the way the chart's hook Job does: `node <entry> migrate`. */
async function migrate(entry: string, env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(process.execPath, [entry, 'migrate'], { env, stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${entry} migrate exited with code ${code}`);
}

/**
 * Cold starts of a handler process against a bare express process, started the same way and
 * alternating, so both see the same machine.
 */
export async function runColdStartBench(
  options: ColdStartBenchOptions,
): Promise<ColdStartBenchResult> {
  const database = await createTestDatabase(options.databaseUrl, 'coldstart');
  try {
    const handlerEnv = {
      ...chartEnv(HANDLER, options.metricsExporter),
      DATABASE_URL: database.url,
      REDIS_URL: options.redisUrl,
    };
    const bareEnv = { NODE_ENV: 'production' };
    await migrate(options.entryPoint, handlerEnv);
    const bareEntry = path.join(__dirname, 'coldstart', 'bare-express.js');
    const bare: number[] = [];
    const handler: number[] = [];
    // One start of each first, unmeasured: it brings their files into the page cache.
    await timeColdStart(bareEntry, bareEnv);
    await timeColdStart(options.entryPoint, handlerEnv);
    for (let i = 0; i < options.starts; i += 1) {
      bare.push(await timeColdStart(bareEntry, bareEnv));
      handler.push(await timeColdStart(options.entryPoint, handlerEnv));
    }
    return { bare, handler };
  } finally {
    await database.drop();
  }
}

interface StartTimes {
  p50: number;
  p99: number;
  max: number;
}

function startTimes(samples: number[]): StartTimes {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] as number,
  };
}

export function coldStartBenchReport(
  options: ColdStartBenchOptions,
  result: ColdStartBenchResult,
  machine: string,
): string[] {
  const bare = startTimes(result.bare);
  const handler = startTimes(result.handler);
  return [
    `### Cold start: ${HANDLER} against bare node + express, ${options.starts} starts each, alternating (${machine})`,
    '',
    'Spawn of `node <entry>` to the first CloudEvent answered 2xx, the event resent every millisecond',
    `until the port accepts. Handler: \`${path.relative(process.cwd(), options.entryPoint)}\` with the chart's`,
    `environment (no OpenTelemetry endpoint, OTEL_METRICS_EXPORTER=${options.metricsExporter}), real Postgres and Redis.`,
    '',
    '| process | p50 | p99 | max | p50 ratio | p99 ratio |',
    '|---|---|---|---|---|---|',
    `| bare node + express (baseline) | ${ms(bare.p50)} | ${ms(bare.p99)} | ${ms(bare.max)} | 1.00× | 1.00× |`,
    `| ${HANDLER} | ${ms(handler.p50)} | ${ms(handler.p99)} | ${ms(handler.max)} | ${(handler.p50 / bare.p50).toFixed(2)}× | ${(handler.p99 / bare.p99).toFixed(2)}× |`,
  ];
}
