import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@eventline/runtime';
import { createPool } from '@eventline/store';
import { createTestDatabase } from '@eventline/testing';
import { cpuSnapshot, cpuUsedBetween } from './cpu-accounting';
import { countUntil } from './latency';
import { postAtRate, settledOrders } from './order-load';
import type { SagaBenchOptions, SagaBenchResult } from './saga-bench';

/** The peer's versions, pinned: the figures in BENCHMARKS.md name them. */
export const RESTATE_SERVER_VERSION = '1.7.12';
export const RESTATE_SDK_VERSION = '1.17.2';

const REPO = path.resolve(__dirname, '../../..');
const PEER_DIR = path.join(REPO, '.cache/peers/restate');
const MODULES = path.join(PEER_DIR, 'node_modules');
const SERVER_BIN = path.join(MODULES, '@restatedev/restate-server-linux-x64/bin/restate-server');
const ENDPOINT = path.join(REPO, 'scripts/bench/restate-peer/endpoint.mjs');
/** One endpoint process per service group, as Eventline runs one process per handler. */
const GROUPS = ['order', 'inventory', 'payments', 'shipments', 'fanout'];

const installedVersion = (pkg: string): string | undefined => {
  try {
    return (
      JSON.parse(readFileSync(path.join(MODULES, pkg, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return undefined;
  }
};

/** Installs the pinned server and SDK from npm into the tool cache, once. */
export function installRestatePeer(): void {
  if (
    existsSync(SERVER_BIN) &&
    installedVersion('@restatedev/restate-server-linux-x64') === RESTATE_SERVER_VERSION &&
    installedVersion('@restatedev/restate-sdk') === RESTATE_SDK_VERSION
  )
    return;
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error('the Restate peer bench runs on linux-x64 only (its server binary)');
  mkdirSync(PEER_DIR, { recursive: true });
  writeFileSync(path.join(PEER_DIR, 'package.json'), '{"private":true}\n');
  execFileSync(
    'npm',
    [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      `@restatedev/restate-server@${RESTATE_SERVER_VERSION}`,
      `@restatedev/restate-sdk@${RESTATE_SDK_VERSION}`,
    ],
    { cwd: PEER_DIR, stdio: ['ignore', process.stderr, process.stderr] },
  );
}

async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

const SCHEMA = `
  CREATE SCHEMA peer;
  CREATE TABLE peer.order_view (order_id text PRIMARY KEY, status text NOT NULL, reason text,
    customer_id text NOT NULL, region text NOT NULL, total bigint NOT NULL,
    placed_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
  CREATE TABLE peer.payments (order_id text PRIMARY KEY, customer_id text NOT NULL,
    amount bigint NOT NULL, refunded boolean NOT NULL DEFAULT false);
  CREATE TABLE peer.shipments (order_id text PRIMARY KEY, region text NOT NULL);
  CREATE TABLE peer.notifications (order_id text PRIMARY KEY, customer_id text NOT NULL);
  CREATE TABLE peer.revenue_by_minute (minute timestamptz, region text, orders bigint NOT NULL,
    revenue bigint NOT NULL, PRIMARY KEY (minute, region));`;

/**
 * The same flash sale on Restate (server and SDK from npm, started here): one workflow per
 * order calling the inventory object, payments and shipments, with the fan-out sent one way,
 * on the same Postgres and machine. Its log's fsync is off, as the test Postgres's is; 24
 * partitions, the server's default. Latency is what the workflow records: the client's send
 * time → the terminal status written, so it counts the ingress as well.
 */
export async function runRestatePeer(options: SagaBenchOptions): Promise<SagaBenchResult> {
  installRestatePeer();
  const database = await createTestDatabase(options.databaseUrl, 'restatepeer');
  const pool = createPool(database.url, { max: 2 });
  await pool.query(SCHEMA);
  const baseDir = mkdtempSync(path.join(os.tmpdir(), 'restate-peer-'));
  const [ingressPort, adminPort, fabricPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const children: Array<[string, ChildProcess]> = [];
  const start = (name: string, command: string, args: string[], env: NodeJS.ProcessEnv) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
    children.push([name, child]);
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  try {
    start('restate-server', SERVER_BIN, ['--base-dir', baseDir, '--no-logo'], {
      RESTATE_LISTEN_MODE: 'tcp',
      RESTATE_BIND_IP: '127.0.0.1',
      RESTATE_BIND_PORT: String(fabricPort),
      RESTATE_INGRESS__BIND_PORT: String(ingressPort),
      RESTATE_ADMIN__BIND_PORT: String(adminPort),
      RESTATE_DISABLE_TELEMETRY: 'true',
      RESTATE_LOG_FILTER: 'error',
      RESTATE_LOG_SERVER__ROCKSDB_DISABLE_WAL_FSYNC: 'true',
      RESTATE_BIFROST__LOCAL__ROCKSDB_DISABLE_WAL_FSYNC: 'true',
    });
    const admin = `http://127.0.0.1:${adminPort}`;
    const ingress = `http://127.0.0.1:${ingressPort}`;
    await waitFor(async () => (await fetch(`${admin}/health`)).ok, 'the Restate server');
    for (const group of GROUPS) {
      const port = await freePort();
      start(group, process.execPath, [ENDPOINT, group, String(port)], {
        DATABASE_URL: database.url,
        RESTATE_PEER_MODULES: MODULES,
        PAYMENT_LATENCY_MS: '1',
      });
      await waitFor(async () => {
        const registered = await fetch(`${admin}/deployments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ uri: `http://127.0.0.1:${port}`, force: true }),
        });
        return registered.ok;
      }, `the ${group} endpoint`);
    }
    const stock = await fetch(`${ingress}/inventory/flash/set`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ available: 1_000_000 }),
    });
    if (!stock.ok)
      throw new Error(`setting the peer's stock: ${stock.status} ${await stock.text()}`);

    const placeOrders = (batch: string, seconds: number) =>
      postAtRate(
        agent,
        options.rate,
        seconds,
        (i) => `${ingress}/order/${batch}-${i}/run/send`,
        (i) => ({
          customerId: `${batch}-${i}`,
          region: 'eu-west',
          items: [{ sku: 'flash', quantity: 1, unitPrice: 1999 }],
          placedAt: new Date().toISOString(),
        }),
        (status) => status === 202 || status === 200,
      );
    const terminalOf = (batch: string, expected: number) =>
      countUntil(
        async () => {
          const { rows } = await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM peer.order_view WHERE status <> 'PENDING' AND order_id LIKE $1`,
            [`${batch}-%`],
          );
          return rows[0]?.n ?? 0;
        },
        expected,
        60_000,
      );

    if (options.warmupSeconds > 0) {
      const warmup = await placeOrders('warmup', options.warmupSeconds);
      await terminalOf('warmup', warmup.accepted);
    }
    const processes = (): Array<[string, number | undefined]> => [
      ['load generator', process.pid],
      ...children.map(([name, child]): [string, number | undefined] => [name, child.pid]),
    ];
    const before = cpuSnapshot(processes());
    const { accepted, refused, windowMs } = await placeOrders('measured', options.seconds);
    const terminal = await terminalOf('measured', accepted);
    const cpu = cpuUsedBetween(before, cpuSnapshot(processes()));
    const settled = await settledOrders(
      pool,
      'peer.order_view',
      "order_id LIKE 'measured-%'",
      windowMs,
    );
    return {
      offered: options.rate * options.seconds,
      accepted,
      refused,
      terminal,
      ...settled,
      cpuMsPerOrder: cpu.map(([name, seconds]) => [name, (seconds * 1000) / Math.max(accepted, 1)]),
      // Restate's own log carries the calls; nothing goes through a broker.
      eventsPerOrder: 0,
      statements: undefined,
    };
  } finally {
    agent.destroy();
    for (const [, child] of children.reverse()) {
      child.kill('SIGTERM');
      if (child.exitCode === null && child.signalCode === null)
        await new Promise((resolve) => child.once('exit', resolve));
    }
    rmSync(baseDir, { recursive: true, force: true });
    await pool.end();
    await database.drop();
  }
}
