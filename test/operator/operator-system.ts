import { execFile } from 'node:child_process';
import path from 'node:path';
import { startLocalSystem, type LocalSystem, type Topology } from '@eventline/runtime';
import { createPool, type Pool } from '@eventline/store';
import {
  createTestDatabase,
  testServerEnv,
  uniqueName,
  type TestDatabase,
} from '@eventline/testing';
import { routingWithHandFiredJobs } from '../orders/orders-system';
import { testSenderEnv, asTestSender } from '../support/senders';

export const CLI = path.resolve(__dirname, '../../shared/runtime/dist/cli.js');

export interface OperatorWorld {
  system: LocalSystem;
  pool: Pool;
  database: TestDatabase;
  stop(): Promise<void>;
}

/** The whole system on real Postgres, Redis and Kafka, as an operator would find it running. */
export async function startOperatorWorld(topology: Topology): Promise<OperatorWorld> {
  const servers = testServerEnv();
  const database = await createTestDatabase(servers.databaseUrl, 'operator');
  const system = await startLocalSystem({
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: servers.redisUrl,
      REDIS_KEY_PREFIX: `${uniqueName('operator')}:`,
      KAFKA_BROKERS: servers.kafkaBrokers,
      LOG_LEVEL: process.env.TEST_HANDLER_LOG_LEVEL ?? 'error',
      PAYMENT_LATENCY_MS: '2',
      ORDERS_STEP_TIMEOUT_MS: '120000',
      ...testSenderEnv(['dev.eventline.flags.changed']),
    },
    topology,
    routing: routingWithHandFiredJobs(),
    namespace: uniqueName('operator'),
    edgePort: 0,
  });
  const pool = createPool(database.url, { max: 2 });
  return {
    system,
    pool,
    database,
    stop: async () => {
      await system.stop();
      await pool.end();
      await database.drop();
    },
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `eventline <args>` as a subprocess, as an operator's shell would. */
export function eventline(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A FeatureFlagChanged the broker takes and its handler refuses for good (400): a dead letter. */
export function publishBadFlagChange(system: LocalSystem, id: string): Promise<Response> {
  return fetch(system.brokerUrl, {
    method: 'POST',
    headers: {
      'ce-specversion': '1.0',
      'ce-id': id,
      'ce-source': '/tests/operator',
      'ce-type': 'dev.eventline.flags.changed',
      'content-type': 'application/json',
      ...asTestSender,
    },
    body: JSON.stringify({ key: 'k', enabled: 'nope' }),
  });
}
