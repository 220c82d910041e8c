import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { EVENTSTORE_SCHEMA, EventStore, eventStoreMigrations } from '@eventline/eventstore';
import { createPool, migrate, type Pool } from '@eventline/store';
import { createTestDatabase } from '@eventline/testing';
import { closedLoop } from './closed-loop';

export interface EventStoreBenchOptions {
  /** A Postgres server URL; the bench creates and drops a database of its own on it. */
  databaseUrl: string;
  /** Measured seconds per scenario and store. */
  seconds: number;
  /** Concurrent writers (or readers), each on its own stream; each store gets a pool this big. */
  writers?: number;
  warmupSeconds?: number;
  /** Measured runs per scenario and store, in alternating order; figures are their mean. */
  rounds?: number;
}

export interface Throughput {
  /** appends or reads completed in the measured window */
  operations: number;
  /** events appended or read in the measured window */
  events: number;
  /** events per second for appends, reads per second for reads */
  perSecond: number;
}

export interface ScenarioResult {
  name: string;
  unit: 'events/s' | 'reads/s';
  eventline: Throughput;
  emmett: Throughput;
  /** Eventline ÷ Emmett */
  ratio: number;
}

export interface EventStoreBenchResult {
  writers: number;
  seconds: number;
  rounds: number;
  scenarios: ScenarioResult[];
}

type Settings = Required<Omit<EventStoreBenchOptions, 'databaseUrl'>>;

interface BenchEvent {
  type: string;
  data: { orderId: string; sku: string; quantity: number; unitPrice: number };
  metadata: { traceparent: string };
}

/** The two stores behind one interface: append at an expected version, read a whole stream. */
interface Contender {
  append(streamId: string, events: BenchEvent[], expectedVersion: number): Promise<number>;
  read(streamId: string): Promise<number>;
}

function eventlineContender(pool: Pool): Contender {
  const store = new EventStore(pool);
  return {
    async append(streamId, events, expectedVersion) {
      const result = await store.append(streamId, events, { expectedVersion });
      return result.nextExpectedVersion;
    },
    async read(streamId) {
      return (await store.readStream(streamId)).length;
    },
  };
}

async function emmettContender(databaseUrl: string, pool: Pool): Promise<Contender> {
  // Emmett runs on the same pg.Pool settings as Eventline, so neither gets more connections.
  const store = getPostgreSQLEventStore(databaseUrl, { connectionOptions: { pool } });
  await store.schema.migrate();
  return {
    async append(streamId, events, expectedVersion) {
      const result = await store.appendToStream(streamId, events, {
        expectedStreamVersion: BigInt(expectedVersion),
      });
      return Number(result.nextExpectedStreamVersion);
    },
    async read(streamId) {
      return (await store.readStream(streamId)).events.length;
    },
  };
}

function benchEvents(count: number, seq: number): BenchEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'ItemAddedToCart',
    data: {
      orderId: `order-${seq}`,
      sku: `SKU-${(seq + i) % 997}`,
      quantity: 1 + (i % 3),
      unitPrice: 19.99,
    },
    metadata: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  }));
}

async function appendScenario(
  contender: Contender,
  prefix: string,
  batch: number,
  options: Settings,
): Promise<Throughput> {
  const versions = new Array<number>(options.writers).fill(0);
  let seq = 0;
  const result = await closedLoop(
    options.writers,
    options.warmupSeconds * 1000,
    options.seconds * 1000,
    async (w) => {
      versions[w] = await contender.append(
        `${prefix}-${w}`,
        benchEvents(batch, seq++),
        versions[w]!,
      );
      return batch;
    },
  );
  return { ...result, perSecond: result.events / options.seconds };
}

async function readScenario(
  contender: Contender,
  prefix: string,
  options: Settings,
): Promise<Throughput> {
  for (let w = 0; w < options.writers; w++) {
    await contender.append(`${prefix}-${w}`, benchEvents(100, w), 0);
  }
  const result = await closedLoop(
    options.writers,
    options.warmupSeconds * 1000,
    options.seconds * 1000,
    async (w) => {
      const read = await contender.read(`${prefix}-${w}`);
      if (read !== 100) throw new Error(`read ${read} events from ${prefix}-${w}, expected 100`);
      return read;
    },
  );
  return { ...result, perSecond: result.operations / options.seconds };
}

/**
 * Eventline's event store against Emmett's PostgreSQL event store, on one database of the same
 * server in the same run, each with a pool of `writers` connections: appends of 1 and of 100
 * events (events/s, one writer per stream, each appending at its expected version), and reads
 * of a whole 100-event stream (reads/s). Stream names start with a type prefix, as Emmett
 * derives its stream type from it.
 */
export async function runEventStoreBench(
  options: EventStoreBenchOptions,
): Promise<EventStoreBenchResult> {
  const settings = {
    seconds: options.seconds,
    writers: options.writers ?? 8,
    warmupSeconds: options.warmupSeconds ?? Math.min(2, options.seconds / 5),
    rounds: options.rounds ?? 2,
  };
  const database = await createTestDatabase(options.databaseUrl, 'bench_es');
  const eventlinePool = createPool(database.url, {
    max: settings.writers,
    name: 'bench-eventline',
  });
  const emmettPool = createPool(database.url, { max: settings.writers, name: 'bench-emmett' });
  try {
    await migrate(eventlinePool, EVENTSTORE_SCHEMA, eventStoreMigrations);
    const contenders = {
      eventline: eventlineContender(eventlinePool),
      emmett: await emmettContender(database.url, emmettPool),
    };
    const scenarios: ScenarioResult[] = [];
    // Each run leaves thousands of new rows; vacuuming them outside the measured window keeps
    // autovacuum from stealing CPU from whichever store happens to be measured next.
    const settle = () => eventlinePool.query('VACUUM ANALYZE');
    // Rounds alternate the order (Eventline, Emmett, then Emmett, Eventline, ...) so drift in
    // the machine's load during the run weighs on both stores alike.
    const scenario = async (
      name: string,
      unit: ScenarioResult['unit'],
      run: (contender: Contender, prefix: string) => Promise<Throughput>,
    ) => {
      const totals = {
        eventline: { operations: 0, events: 0, perSecond: 0 },
        emmett: { operations: 0, events: 0, perSecond: 0 },
      };
      for (let round = 0; round < settings.rounds; round++) {
        const order: (keyof typeof totals)[] =
          round % 2 === 0 ? ['eventline', 'emmett'] : ['emmett', 'eventline'];
        for (const store of order) {
          const result = await run(contenders[store], `bench-${scenarios.length}${store}${round}`);
          await settle();
          totals[store].operations += result.operations;
          totals[store].events += result.events;
          totals[store].perSecond += result.perSecond / settings.rounds;
        }
      }
      scenarios.push({
        name,
        unit,
        ...totals,
        ratio: totals.eventline.perSecond / totals.emmett.perSecond,
      });
    };
    await scenario('append 1 event', 'events/s', (c, p) => appendScenario(c, p, 1, settings));
    await scenario('append 100 events', 'events/s', (c, p) => appendScenario(c, p, 100, settings));
    await scenario('read a 100-event stream', 'reads/s', (c, p) => readScenario(c, p, settings));
    return {
      writers: settings.writers,
      seconds: settings.seconds,
      rounds: settings.rounds,
      scenarios,
    };
  } finally {
    // Closing sockets may still be cut by the forced drop: expected, not a failure.
    for (const pool of [eventlinePool, emmettPool]) pool.on('error', () => undefined);
    await Promise.all([eventlinePool.end(), emmettPool.end()]);
    await database.drop();
  }
}

/** The result as a markdown table, ratios Eventline ÷ Emmett. */
export function eventStoreBenchReport(result: EventStoreBenchResult, machine: string): string[] {
  return [
    `### Event store: Eventline vs Emmett (@event-driven-io/emmett-postgresql) on the same Postgres (${machine})`,
    '',
    `${result.writers} concurrent writers (readers), each on its own stream; mean of ${result.rounds} runs of ${result.seconds} s per scenario and store, in alternating order; same pool size for both.`,
    '',
    '| scenario | unit | Eventline | Emmett | Eventline ÷ Emmett |',
    '|---|---|---|---|---|',
    ...result.scenarios.map(
      (s) =>
        `| ${s.name} | ${s.unit} | ${s.eventline.perSecond.toFixed(0)} | ${s.emmett.perSecond.toFixed(0)} | ${s.ratio.toFixed(2)}× |`,
    ),
  ];
}
