import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { createPool, inTransaction } from '@eventline/store';
import { createTestDatabase, uniqueName } from '@eventline/testing';
import { measureRoundTrip, type VariantResult } from './broker-bench';
import { closedLoop } from './closed-loop';
import { cpuSnapshot, cpuUsedBetween, totalOf } from './cpu-accounting';
import { ms } from './latency';
import { brokerRoundTrip } from './round-trip/broker';

export interface FloorBenchOptions {
  brokers: string[];
  databaseUrl: string;
  /** orders per second the floor is computed for */
  targetOrders: number;
  /** events an order moves through the broker (the saga bench counts 7) */
  eventsPerOrder: number;
  /** handler transactions an order takes, at least one per event */
  transactionsPerOrder: number;
  seconds: number;
  warmupSeconds: number;
  /** concurrent transactions in the Postgres part */
  clients: number;
}

export interface TransactionsResult {
  perSecond: number;
  /** CPU microseconds per transaction by process: Postgres and the client (this process) */
  cpuUsPerTransaction: Array<[string, number]>;
}

export interface FloorBenchResult {
  /** the broker round trip (two events) at the event rate the target needs */
  messaging: VariantResult & { offeredEventsPerSecond: number };
  transactions: TransactionsResult;
}

const SCHEMA = `
  CREATE TABLE processed (consumer text, source text, id text, PRIMARY KEY (consumer, source, id));
  CREATE TABLE stock (sku text PRIMARY KEY, available bigint NOT NULL);
  CREATE TABLE outbox (position bigserial PRIMARY KEY, event jsonb NOT NULL);
  INSERT INTO stock SELECT 'sku-' || n, 1000000000 FROM generate_series(1, 1000) AS n;`;

const EVENT = JSON.stringify({
  specversion: '1.0',
  type: 'bench.next',
  source: '/bench/floor',
  id: 'next',
  data: { orderId: 'order' },
});

/**
 * The smallest transaction a handler commits: claim the event, change one row, write one outbox
 * row. Each runs on its own pooled connection with prepared statements, at full concurrency.
 */
async function measureTransactions(options: FloorBenchOptions): Promise<TransactionsResult> {
  const database = await createTestDatabase(options.databaseUrl, 'bench_floor');
  const pool = createPool(database.url, { max: options.clients, name: 'bench-floor' });
  try {
    await pool.query(SCHEMA);
    const transaction = async () => {
      await inTransaction(pool, async (tx) => {
        await tx.query(
          'INSERT INTO processed (consumer, source, id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
          // event ids are random, as producers' UUIDs are
          ['floor', '/bench', randomUUID()],
        );
        await tx.query('UPDATE stock SET available = available - 1 WHERE sku = $1', [
          `sku-${1 + Math.floor(Math.random() * 1000)}`,
        ]);
        await tx.query('INSERT INTO outbox (event) VALUES ($1)', [EVENT]);
      });
      return 1;
    };
    await closedLoop(options.clients, 0, options.warmupSeconds * 1000, transaction);
    const processes: Array<[string, number | undefined]> = [['client (pg)', process.pid]];
    const before = cpuSnapshot(processes);
    const { operations } = await closedLoop(
      options.clients,
      0,
      options.seconds * 1000,
      transaction,
    );
    const cpu = cpuUsedBetween(before, cpuSnapshot(processes)).filter(
      ([name]) => name === 'Postgres' || name === 'client (pg)',
    );
    return {
      perSecond: operations / options.seconds,
      cpuUsPerTransaction: cpu.map(([name, seconds]) => [name, (seconds * 1e6) / operations]),
    };
  } finally {
    await pool.end();
    await database.drop();
  }
}

/**
 * What an order costs at least in this architecture, from its parts measured alone on this
 * machine: moving its events through the broker on Kafka at the event rate the target needs,
 * and its handlers' transactions at full concurrency. No handler logic, no event store, no
 * cache: a floor, to hold against the cores the machine has.
 */
export async function runFloorBench(options: FloorBenchOptions): Promise<FloorBenchResult> {
  const eventsPerSecond = options.targetOrders * options.eventsPerOrder;
  // A round trip is two events: the request and the handler's reply.
  const messaging = await measureRoundTrip(brokerRoundTrip(options.brokers, uniqueName('floor')), {
    rate: Math.round(eventsPerSecond / 2),
    seconds: options.seconds,
    warmupSeconds: options.warmupSeconds,
  });
  const transactions = await measureTransactions(options);
  return { messaging: { ...messaging, offeredEventsPerSecond: eventsPerSecond }, transactions };
}

const byProcess = (cpu: Array<[string, number]>, divisor = 1) =>
  cpu
    .filter(([, us]) => us / divisor >= 0.5)
    .map(([name, us]) => `${name} ${(us / divisor).toFixed(0)}`)
    .join(', ');

/** The floor as a table: each part's CPU per order and the cores it takes at the target. */
export function floorBenchReport(
  options: FloorBenchOptions,
  { messaging, transactions }: FloorBenchResult,
  machine: string,
): string[] {
  const { targetOrders: target, eventsPerOrder: events, transactionsPerOrder: txs } = options;
  // A round trip carries two events.
  const usPerEvent = totalOf(messaging.cpuUsPerRoundTrip) / 2;
  const usPerTransaction = totalOf(transactions.cpuUsPerTransaction);
  const parts = [
    {
      part: `${events} events through the broker on Kafka`,
      measured: `${messaging.latency.throughput.toFixed(0)} round trips/s of ${(messaging.offeredEventsPerSecond / 2).toFixed(0)} offered, p50 ${ms(messaging.latency.p50)}, p99 ${ms(messaging.latency.p99)}; ${usPerEvent.toFixed(0)} µs per event (${byProcess(messaging.cpuUsPerRoundTrip, 2)})`,
      msPerOrder: (events * usPerEvent) / 1000,
    },
    {
      part: `${txs} handler transactions`,
      measured: `${transactions.perSecond.toFixed(0)} transactions/s with ${options.clients} clients; ${usPerTransaction.toFixed(0)} µs per transaction (${byProcess(transactions.cpuUsPerTransaction)})`,
      msPerOrder: (txs * usPerTransaction) / 1000,
    },
  ];
  const floorMs = parts.reduce((sum, { msPerOrder }) => sum + msPerOrder, 0);
  const cores = os.cpus().length;
  const coresAt = (msPerOrder: number) => ((target * msPerOrder) / 1000).toFixed(2);
  return [
    `### The floor of ${target} orders/s (${machine})`,
    '',
    `An order taken as ${events} events through the broker and ${txs} handler transactions, each part measured`,
    'alone: the messaging at the event rate the target needs, the transactions at full concurrency. No handler',
    'logic, event store, read model or cache: what the architecture costs before any of it.',
    '',
    '| part | measured | CPU per order | cores at the target |',
    '|---|---|---|---|',
    ...parts.map(
      ({ part, measured, msPerOrder }) =>
        `| ${part} | ${measured} | ${ms(msPerOrder)} | ${coresAt(msPerOrder)} |`,
    ),
    `| **floor** | | **${ms(floorMs)}** | **${coresAt(floorMs)} of ${cores}** |`,
    '',
    `At ${target} orders/s this machine has ${ms((cores * 1000) / target)} of CPU per order; the floor alone ${floorMs * target > cores * 1000 ? 'exceeds' : 'fits in'} it.`,
  ];
}

/** The parts an order's CPU is compared by, floor against measured. */
export type CostPart = 'broker' | 'Kafka' | 'Postgres' | 'Redis' | 'handlers';

/** Which part a process of a measurement belongs to: the servers by name, Node's by role. */
export function costPartOf(process: string): CostPart {
  if (process === 'Kafka' || process === 'Postgres' || process === 'Redis') return process;
  if (process.startsWith('broker') || process.startsWith('load generator')) return 'broker';
  return 'handlers';
}

/** CPU ms per order by part, summed over a measurement's processes. */
export function msPerOrderByPart(measurement: Array<[string, number]>): Map<CostPart, number> {
  const parts = new Map<CostPart, number>();
  for (const [name, msPerOrder] of measurement) {
    const part = costPartOf(name);
    parts.set(part, (parts.get(part) ?? 0) + msPerOrder);
  }
  return parts;
}

/** The floor's CPU per order by process: its messaging and its transactions, scaled to an order. */
export function floorMsPerOrder(
  options: FloorBenchOptions,
  { messaging, transactions }: FloorBenchResult,
): Array<[string, number]> {
  const perOrder = new Map<string, number>();
  const add = (name: string, ms: number) => perOrder.set(name, (perOrder.get(name) ?? 0) + ms);
  // A round trip carries two events.
  for (const [name, us] of messaging.cpuUsPerRoundTrip)
    add(name, (options.eventsPerOrder * us) / 2 / 1000);
  for (const [name, us] of transactions.cpuUsPerTransaction)
    add(name, (options.transactionsPerOrder * us) / 1000);
  return [...perOrder];
}
