#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { serviceEntryPoint } from '@eventline/runtime';
import {
  beginTestRun,
  deleteTopicsCreatedSince,
  listKafkaTopics,
  resolveTestServers,
  type TestServers,
} from '@eventline/testing';
import { median, ms, type LatencySummary } from './latency';
import { cpuTableRows, meanByName, totalOf } from './cpu-accounting';
import { runBrokerBench } from './broker-bench';
import { runRestatePeer, RESTATE_SDK_VERSION, RESTATE_SERVER_VERSION } from './restate-peer';
import { runSagaBench, type SagaBenchResult } from './saga-bench';
import { statementTableRows } from './statement-stats';
import { runFraudBench } from './fraud-bench';
import {
  floorBenchReport,
  floorMsPerOrder,
  msPerOrderByPart,
  runFloorBench,
  type CostPart,
} from './floor-bench';
import { eventStoreBenchReport, runEventStoreBench } from './eventstore-bench';
import { coldStartBenchReport, runColdStartBench } from './coldstart-bench';
import { imagesBenchReport, runImagesBench } from './images-bench';
import { runSimulation, type SimulationReport } from './iot/simulate';
import { runTelemetryBench } from './telemetry-bench';

// `npm run` starts scripts in the project's root directory: reports land in the repository's reports/.
const REPORTS = path.resolve('reports/bench');

function row(name: string, s: LatencySummary, baseline?: LatencySummary): string {
  const ratio = baseline
    ? ` | ${(s.p50 / baseline.p50).toFixed(2)}× | ${(s.p99 / baseline.p99).toFixed(2)}×`
    : ' | 1.00× | 1.00×';
  return `| ${name} | ${s.count} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} | ${s.throughput.toFixed(0)}${ratio} |`;
}

function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

function report(name: string, lines: string[]): void {
  const text = lines.join('\n');
  process.stdout.write(`${text}\n`);
  mkdirSync(REPORTS, { recursive: true });
  writeFileSync(path.join(REPORTS, `${name}.md`), `${text}\n`);
}

/** Runs a benchmark on the test servers (environment, testcontainers or local), then exits. */
async function onTestServers(run: (servers: TestServers) => Promise<void>): Promise<void> {
  const testRun = beginTestRun();
  const servers = await resolveTestServers();
  const topicsBefore = await listKafkaTopics(servers.kafkaBrokers);
  await run(servers);
  await deleteTopicsCreatedSince(servers.kafkaBrokers, topicsBefore, testRun);
  await servers.stop();
  process.exit(0);
}

const program = new Command()
  .name('bench')
  .description('Eventline benchmarks; figures go to reports/bench/');

program
  .command('broker')
  .description('request/reply through the broker on Kafka vs raw Kafka with each client, same run')
  .option('--rate <n>', 'events offered per second', '1000')
  .option('--seconds <n>', 'measured seconds per variant', '10')
  .option('--warmup <n>', 'warm-up seconds per variant', '3')
  .option('--rounds <n>', 'alternating rounds of raw @platformatic/kafka and the broker', '3')
  .option(
    '--priority <nice>',
    "nice value for each variant's own processes (handler, broker), as pods with their own CPU share",
  )
  .action(
    (opts: { rate: string; seconds: string; warmup: string; rounds: string; priority?: string }) =>
      onTestServers(async (servers) => {
        const result = await runBrokerBench({
          brokers: servers.kafkaBrokers.split(','),
          rate: Number(opts.rate),
          seconds: Number(opts.seconds),
          warmupSeconds: Number(opts.warmup),
          rounds: Number(opts.rounds),
          priority: opts.priority === undefined ? undefined : Number(opts.priority),
        });
        const { kafkajs, rounds, http } = result;
        const overheads = rounds.map(({ platformatic, broker }) => ({
          p50: broker.latency.p50 - platformatic.latency.p50,
          p99: broker.latency.p99 - platformatic.latency.p99,
          p50Ratio: broker.latency.p50 / platformatic.latency.p50,
          p99Ratio: broker.latency.p99 / platformatic.latency.p99,
        }));
        const cpuRows = (variant: string, cpus: Array<Array<[string, number]>>) => {
          const cpu = meanByName(cpus);
          return [
            ...cpu
              .filter(([, us]) => us >= 0.5)
              .map(([name, us]) => `| ${variant} | ${name} | ${us.toFixed(0)} µs |`),
            `| ${variant} | **total** | **${totalOf(cpu).toFixed(0)} µs** |`,
          ];
        };
        report('broker', [
          `### Broker round trip at ${opts.rate} events/s offered (${machine()})`,
          '',
          'Each variant: a request produced, consumed by a handler that produces a reply, the reply consumed.',
          'Broker: ingress → Kafka → trigger → HTTP handler (replies) → Kafka → trigger → HTTP receiver.',
          `Raw @platformatic/kafka and the broker alternate, ${rounds.length} rounds, each pair back to back.`,
          ...(opts.priority === undefined
            ? []
            : [
                `Each variant's own processes (handler, broker) ran at nice ${opts.priority}; the load generator and Kafka at their own.`,
              ]),
          '',
          '| variant | events | p50 | p99 | max | events/s | p50 vs kafkajs | p99 vs kafkajs |',
          '|---|---|---|---|---|---|---|---|',
          row('raw Kafka, kafkajs (baseline)', kafkajs.latency),
          ...rounds.flatMap(({ platformatic, broker }, index) => [
            row(
              `raw Kafka, @platformatic/kafka, round ${index + 1}`,
              platformatic.latency,
              kafkajs.latency,
            ),
            row(
              `Eventline broker (on @platformatic/kafka), round ${index + 1}`,
              broker.latency,
              kafkajs.latency,
            ),
          ]),
          '',
          'Broker overhead over raw Kafka on the same client (@platformatic/kafka), the pair of each round:',
          '',
          '| round | p50 overhead | p99 overhead | p50 broker/raw | p99 broker/raw |',
          '|---|---|---|---|---|',
          ...overheads.map(
            (overhead, index) =>
              `| ${index + 1} | ${ms(overhead.p50)} | ${ms(overhead.p99)} | ${overhead.p50Ratio.toFixed(2)}× | ${overhead.p99Ratio.toFixed(2)}× |`,
          ),
          `| **median** | **${ms(median(overheads.map((o) => o.p50)))}** | **${ms(median(overheads.map((o) => o.p99)))}** | | |`,
          '',
          `One HTTP exchange with the replying handler in its own process (no Kafka; the broker path crosses as many more process boundaries as two of these): p50 ${ms(http.latency.p50)}, p99 ${ms(http.latency.p99)}.`,
          '',
          'CPU per round trip (two events) over the measured windows, mean of the rounds, by process (Kafka: the local server):',
          '',
          '| variant | process | CPU per round trip |',
          '|---|---|---|',
          ...cpuRows(
            'raw @platformatic/kafka',
            rounds.map((r) => r.platformatic.cpuUsPerRoundTrip),
          ),
          ...cpuRows(
            'Eventline broker',
            rounds.map((r) => r.broker.cpuUsPerRoundTrip),
          ),
        ]);
      }),
  );

program
  .command('saga')
  .description(
    'flash sale end to end: orders placed at a fixed rate until terminal, each handler its own process, against the floor at the same rate',
  )
  .option('--rate <n>', 'orders offered per second', '100')
  .option('--seconds <n>', 'measured seconds', '20')
  .option('--warmup <n>', 'seconds of orders placed and finished before measuring', '5')
  .option('--skus <n>', 'skus the orders spread over (1: every order on one stock row)', '1')
  .option('--no-floor', 'leave out the floor measured at the same rate after the sale')
  .option(
    '--peer <name>',
    `the same sale on a peer right after, on the same servers: restate (server ${RESTATE_SERVER_VERSION}, SDK ${RESTATE_SDK_VERSION}, from npm)`,
  )
  .action(
    (opts: {
      rate: string;
      seconds: string;
      warmup: string;
      skus: string;
      floor: boolean;
      peer?: string;
    }) =>
      onTestServers(async (servers) => {
        if (opts.peer !== undefined && opts.peer !== 'restate')
          throw new Error(`--peer: unknown peer ${opts.peer}; the one measured is restate`);
        const rate = Number(opts.rate);
        const saleOptions = {
          databaseUrl: servers.databaseUrl,
          redisUrl: servers.redisUrl,
          kafkaBrokers: servers.kafkaBrokers,
          rate,
          seconds: Number(opts.seconds),
          warmupSeconds: Number(opts.warmup),
          skus: Number(opts.skus),
        };
        const result = await runSagaBench(saleOptions);
        const peer = opts.peer ? await runRestatePeer(saleOptions) : undefined;
        const floorOptions = {
          brokers: servers.kafkaBrokers.split(','),
          databaseUrl: servers.databaseUrl,
          targetOrders: rate,
          eventsPerOrder: Math.round(result.eventsPerOrder),
          transactionsPerOrder: Math.round(result.eventsPerOrder),
          seconds: 10,
          warmupSeconds: 3,
          clients: 16,
        };
        const floor = opts.floor
          ? floorMsPerOrder(floorOptions, await runFloorBench(floorOptions))
          : undefined;
        const s = result.placeToTerminal;
        const statuses = result.statuses;
        report(`saga-${opts.rate}${opts.skus === '1' ? '' : `-${opts.skus}skus`}`, [
          `### Flash sale at ${opts.rate} orders/s offered for ${opts.seconds} s after ${opts.warmup} s of warm-up, ${opts.skus} sku(s) (${machine()})`,
          '',
          'Every handler its own process; real Kafka, Postgres, Redis; latency = order placed → terminal status;',
          'refused = not accepted, by HTTP status or error (429: shed by admission control).',
          '',
          '| offered | accepted | refused | completed | cancelled | failed | still pending | orders/s completed | p50 | p99 | max |',
          '|---|---|---|---|---|---|---|---|---|---|---|',
          `| ${result.offered} | ${result.accepted} | ${JSON.stringify(result.refused)} | ${statuses.COMPLETED ?? 0} | ${statuses.CANCELLED ?? 0} | ${statuses.FAILED ?? 0} | ${result.accepted - result.terminal} | ${s.throughput.toFixed(0)} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`,
          '',
          'CPU per order over the measured window, by process:',
          '',
          ...cpuTableRows(result.cpuMsPerOrder, 'order'),
          '',
          ...(floor ? sagaAgainstFloor(result.cpuMsPerOrder, floor, floorOptions) : []),
          ...(peer ? sagaAgainstPeer(result, peer) : []),
          `Events through the broker per order: ${result.eventsPerOrder.toFixed(1)}.`,
          '',
          'Postgres statements per order over the measured window (pg_stat_statements), heaviest first:',
          '',
          ...(result.statements
            ? statementTableRows(result.statements, result.accepted, 'order')
            : ['(not measured: this Postgres does not load pg_stat_statements)']),
        ]);
      }),
  );

/** Eventline's sale beside Restate's, run right after it on the same servers, and the ratios. */
function sagaAgainstPeer(eventline: SagaBenchResult, restate: SagaBenchResult): string[] {
  const row = (name: string, r: SagaBenchResult) =>
    `| ${name} | ${r.accepted} | ${JSON.stringify(r.refused)} | ${JSON.stringify(r.statuses)} | ${r.accepted - r.terminal} | ${r.placeToTerminal.throughput.toFixed(0)} | ${ms(r.placeToTerminal.p50)} | ${ms(r.placeToTerminal.p99)} | ${ms(totalOf(r.cpuMsPerOrder))} |`;
  const ratio = (a: number, b: number) => `${(a / Math.max(b, 1e-9)).toFixed(2)}×`;
  const [e, p] = [eventline.placeToTerminal, restate.placeToTerminal];
  return [
    `The same sale on Restate (server ${RESTATE_SERVER_VERSION}, SDK ${RESTATE_SDK_VERSION}; one workflow per order, 5 endpoint processes, same Postgres), right after:`,
    '',
    '| system | accepted | refused | statuses | still pending | orders/s completed | p50 | p99 | CPU per order |',
    '|---|---|---|---|---|---|---|---|---|',
    row('Eventline', eventline),
    row('Restate', restate),
    `| **Eventline ÷ Restate** | | | | | ${ratio(e.throughput, p.throughput)} | ${ratio(e.p50, p.p50)} | ${ratio(e.p99, p.p99)} | ${ratio(totalOf(eventline.cpuMsPerOrder), totalOf(restate.cpuMsPerOrder))} |`,
    '',
    "Restate's CPU per order by process:",
    '',
    ...cpuTableRows(restate.cpuMsPerOrder, 'order'),
    '',
  ];
}

/** The sale's CPU per order by part against the floor's at the same rate, and their ratios. */
function sagaAgainstFloor(
  sale: Array<[string, number]>,
  floor: Array<[string, number]>,
  options: { targetOrders: number; eventsPerOrder: number; transactionsPerOrder: number },
): string[] {
  const saleParts = msPerOrderByPart(sale);
  const floorParts = msPerOrderByPart(floor);
  const parts: CostPart[] = ['broker', 'Kafka', 'Postgres', 'Redis', 'handlers'];
  const ratio = (a: number, b: number) => (b > 0.005 ? `${(a / b).toFixed(1)}×` : '–');
  const saleTotal = totalOf(sale);
  const floorTotal = totalOf(floor);
  return [
    `Against the floor measured right after at the same rate (${options.targetOrders} orders/s: ${options.eventsPerOrder} events`,
    `through the broker and ${options.transactionsPerOrder} minimal handler transactions per order, see the floor bench):`,
    '',
    '| part | the sale, per order | the floor, per order | ratio | share of the gap |',
    '|---|---|---|---|---|',
    ...parts.map((part) => {
      const a = saleParts.get(part) ?? 0;
      const b = floorParts.get(part) ?? 0;
      return `| ${part} | ${ms(a)} | ${ms(b)} | ${ratio(a, b)} | ${((100 * (a - b)) / Math.max(saleTotal - floorTotal, 1e-9)).toFixed(0)}% |`;
    }),
    `| **total** | **${ms(saleTotal)}** | **${ms(floorTotal)}** | **${ratio(saleTotal, floorTotal)}** | |`,
    '',
  ];
}

program
  .command('fraud')
  .description(
    'fraud scoring end to end: transactions submitted at a fixed rate until decided, each step its own process',
  )
  .option('--rate <n>', 'transactions offered per second', '200')
  .option('--seconds <n>', 'measured seconds', '20')
  .option('--warmup <n>', 'seconds of transactions submitted and decided before measuring', '5')
  .option('--customers <n>', 'customers the transactions spread over', '500')
  .action((opts: { rate: string; seconds: string; warmup: string; customers: string }) =>
    onTestServers(async (servers) => {
      const result = await runFraudBench({
        databaseUrl: servers.databaseUrl,
        redisUrl: servers.redisUrl,
        kafkaBrokers: servers.kafkaBrokers,
        rate: Number(opts.rate),
        seconds: Number(opts.seconds),
        warmupSeconds: Number(opts.warmup),
        customers: Number(opts.customers),
      });
      const s = result.submittedToDecided;
      report(`fraud-${opts.rate}`, [
        `### Fraud scoring at ${opts.rate} transactions/s offered for ${opts.seconds} s after ${opts.warmup} s of warm-up, ${opts.customers} customers (${machine()})`,
        '',
        'transactions-api, enrich, score and decide each their own process; real Kafka, Postgres, Redis; latency = submitted → decided;',
        'decided counts every measured transaction decided by the end, answered in the window or not.',
        '',
        '| offered | accepted | refused | unanswered in the window | decided | decisions | decided/s | p50 | p99 | max |',
        '|---|---|---|---|---|---|---|---|---|---|',
        `| ${result.offered} | ${result.accepted} | ${JSON.stringify(result.refused)} | ${result.offered - result.accepted - totalOf(Object.entries(result.refused))} | ${result.decided} | ${JSON.stringify(result.decisions)} | ${s.throughput.toFixed(0)} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`,
        '',
        'CPU per transaction over the measured window, by process (the Kafka, Postgres and Redis rows count',
        'everything those servers did meanwhile, for other clients too):',
        '',
        ...cpuTableRows(result.cpuMsPerTransaction, 'transaction'),
      ]);
    }),
  );

program
  .command('floor')
  .description(
    "what an order costs at least in this architecture, from its parts measured alone at the target's rates",
  )
  .option('--target <n>', 'orders per second the floor is computed for', '1000')
  .option('--events <n>', 'events an order moves through the broker', '7')
  .option('--transactions <n>', 'handler transactions an order takes', '7')
  .option('--seconds <n>', 'measured seconds per part', '10')
  .option('--warmup <n>', 'warm-up seconds per part', '3')
  .option('--clients <n>', 'concurrent transactions in the Postgres part', '16')
  .action(
    (opts: {
      target: string;
      events: string;
      transactions: string;
      seconds: string;
      warmup: string;
      clients: string;
    }) =>
      onTestServers(async (servers) => {
        const options = {
          brokers: servers.kafkaBrokers.split(','),
          databaseUrl: servers.databaseUrl,
          targetOrders: Number(opts.target),
          eventsPerOrder: Number(opts.events),
          transactionsPerOrder: Number(opts.transactions),
          seconds: Number(opts.seconds),
          warmupSeconds: Number(opts.warmup),
          clients: Number(opts.clients),
        };
        const result = await runFloorBench(options);
        report(`floor-${opts.target}`, floorBenchReport(options, result, machine()));
      }),
  );

program
  .command('eventstore')
  .description(
    "Eventline's event store vs Emmett's PostgreSQL event store, same Postgres, same run",
  )
  .option('--seconds <n>', 'measured seconds per run', '5')
  .option('--writers <n>', 'concurrent writers, each on its own stream', '8')
  .option('--rounds <n>', 'runs per scenario and store, alternating order', '2')
  .action((opts: { seconds: string; writers: string; rounds: string }) =>
    onTestServers(async (servers) => {
      const result = await runEventStoreBench({
        databaseUrl: servers.databaseUrl,
        seconds: Number(opts.seconds),
        writers: Number(opts.writers),
        rounds: Number(opts.rounds),
      });
      report('eventstore', eventStoreBenchReport(result, machine()));
    }),
  );

program
  .command('telemetry')
  .description(
    "a handler process's CPU per request without metrics, with metrics, and with trace export",
  )
  .option('--requests <n>', 'measured requests per handler and configuration', '3000')
  .option('--warmup <n>', 'warm-up requests before each measurement', '500')
  .option('--concurrency <n>', 'requests in flight at once', '8')
  .option('--rounds <n>', 'rounds, each of every configuration in turn', '3')
  .action((opts: { requests: string; warmup: string; concurrency: string; rounds: string }) =>
    onTestServers(async (servers) => {
      const rows = await runTelemetryBench(servers, {
        requests: Number(opts.requests),
        warmup: Number(opts.warmup),
        concurrency: Number(opts.concurrency),
        rounds: Number(opts.rounds),
      });
      report('telemetry', [
        `Telemetry cost: handler CPU per request (${machine()})`,
        '',
        '| handler | telemetry | requests per round | CPU per request, median | each round |',
        '|---|---|---|---|---|',
        ...rows.map(
          (r) =>
            `| ${r.handler} | ${r.configuration} | ${r.requests} | ${median(r.rounds).toFixed(0)} µs | ${r.rounds.map((v) => v.toFixed(0)).join(', ')} µs |`,
        ),
      ]);
    }),
  );

program
  .command('coldstart')
  .description(
    'spawn to first CloudEvent answered: a handler process vs bare node + express, alternating',
  )
  .option('--starts <n>', 'measured starts of each process', '20')
  .option(
    '--entry <file>',
    "the flags service's entry point, e.g. another build's (default: the package's bin)",
  )
  .option(
    '--metrics-exporter <name>',
    'OTEL_METRICS_EXPORTER: prometheus (the chart) or none',
    'prometheus',
  )
  .action((opts: { starts: string; entry?: string; metricsExporter: string }) =>
    onTestServers(async (servers) => {
      const options = {
        databaseUrl: servers.databaseUrl,
        redisUrl: servers.redisUrl,
        starts: Number(opts.starts),
        entryPoint: opts.entry ? path.resolve(opts.entry) : serviceEntryPoint('flags'),
        metricsExporter: opts.metricsExporter,
      };
      const result = await runColdStartBench(options);
      report('coldstart', coldStartBenchReport(options, result, machine()));
    }),
  );

program
  .command('images')
  .description(
    "each service image's production node_modules, installed as docker/Dockerfile does, no container engine",
  )
  .action(() => {
    report('images', imagesBenchReport(runImagesBench(process.cwd()), machine()));
  });

program
  .command('iot')
  .description(
    'telemetry: readings/s ingested into Redis and the Postgres series under a burst, and alert latency at a steady rate',
  )
  .option('--devices <n>', 'devices in the simulated fleet', '1000')
  .option('--burst <n>', 'readings per second offered to measure ingest', '50000')
  .option('--rate <n>', 'readings per second at which alert latency is measured', '20000')
  .option('--seconds <n>', 'seconds each phase sends', '20')
  .option('--topology <t>', 'in-process, or processes (each handler its own process)', 'processes')
  .action(
    (opts: { devices: string; burst: string; rate: string; seconds: string; topology: string }) =>
      onTestServers(async (servers) => {
        const phase = (rate: string) =>
          runSimulation(
            servers,
            {
              devices: Number(opts.devices),
              rate: Number(rate),
              seconds: Number(opts.seconds),
              anomalyRate: 0.002,
              seed: 1,
              topology: opts.topology as 'in-process' | 'processes',
            },
            (line) => process.stdout.write(`${line}\n`),
          );
        const burst = await phase(opts.burst);
        const steady = await phase(opts.rate);
        const line = (name: string, r: SimulationReport) =>
          `| ${name} | ${r.offered} | ${r.sentRate.toFixed(0)} | ${r.stored} | ${r.storedRate.toFixed(0)} | ${r.injected} | ${r.detected} | ${r.missed} | ${r.falselyRaised} | ${ms(r.alertLatency.p50)} | ${ms(r.alertLatency.p99)} |`;
        report('iot', [
          `### IoT telemetry, ${opts.devices} devices, ${opts.seconds} s per phase, topology ${opts.topology} (${machine()})`,
          '',
          'Readings POSTed to /telemetry in batches every 100 ms; stored = rows in the day-partitioned series (each also moved into Redis); alert latency = reading produced → alert stored.',
          '',
          '| phase | offered | sent/s | stored | stored/s end to end | spikes | detected | missed | false | alert p50 | alert p99 |',
          '|---|---|---|---|---|---|---|---|---|---|---|',
          line(`burst ${opts.burst}/s`, burst),
          line(`steady ${opts.rate}/s`, steady),
        ]);
      }),
  );

program.parseAsync().catch((err: Error) => {
  process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
