#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { addOperatorCommands, CliError, EXIT } from '@eventline/operator';
import { portSchema, readLocalSystemEnv } from './config';
import type { Topology } from './local-system';

function port(value: string): number {
  const parsed = portSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError('must be a port number, 0-65535.');
  return parsed.data;
}

function regionList(value: string): string[] {
  const regions = value.split(',').map((r) => r.trim());
  if (regions.length === 0 || regions.some((r) => r === ''))
    throw new InvalidArgumentError(
      'must be region names separated by commas, e.g. eu-west,us-east',
    );
  return regions;
}

interface StartOptions {
  topology: Topology;
  regions?: string[];
  edgePort?: number;
  brokerPort?: number;
  host?: string;
}

/** Starts the local system; the environment is read here, so other commands never need it. */
async function start(opts: StartOptions): Promise<void> {
  let env;
  try {
    env = readLocalSystemEnv(process.env);
  } catch (err) {
    throw new CliError((err as Error).message, 1);
  }
  // Loaded only to start: the operator's commands need none of the platform. The instrumentations
  // come first, so that they patch node:http before the gateway loads it when traces are exported.
  require('@eventline/telemetry/instrument');
  const { startTelemetry } =
    require('@eventline/telemetry') as typeof import('@eventline/telemetry');
  const { startLocalSystem } = require('./local-system') as typeof import('./local-system');
  startTelemetry('eventline-local');
  const started = Date.now();
  if (opts.regions) {
    await startRegions(opts, opts.regions, started);
    return;
  }
  const system = await startLocalSystem({
    topology: opts.topology,
    host: opts.host ?? env.EVENTLINE_HOST,
    edgePort: opts.edgePort ?? env.EVENTLINE_EDGE_PORT,
    brokerPort: opts.brokerPort ?? env.EVENTLINE_BROKER_PORT,
  });
  const lines = [
    '',
    `Eventline is running (${opts.topology}, ready in ${Date.now() - started} ms)`,
    `  API          ${system.edgeUrl}   e.g. curl -X PUT ${system.edgeUrl}/flags/checkout -H 'content-type: application/json' -d '{"enabled":true}'`,
    `  dashboard    ${system.edgeUrl}/ui/   (npx eventline --help for the CLI)`,
    `  broker       ${system.brokerUrl}   (POST CloudEvents here)`,
    Object.keys(system.senderTokens).length > 0
      ? `  senders      each handler posts with its own token; others only as EVENTLINE_SENDERS allows (${Object.keys(env.EVENTLINE_SENDERS ?? {}).join(', ') || 'none'})`
      : '  senders      EVENTLINE_SENDER_AUTHORIZATION=disabled: the broker takes any event from anyone',
    `  dead letters ${system.edgeUrl}/dead-letters`,
    `  postgres     ${system.dependencies.postgres}`,
    `  redis        ${system.dependencies.redis}`,
    `  broker log   ${system.dependencies.kafka}`,
    ...(opts.topology === 'processes'
      ? [
          `  scale to zero each handler's process starts on its first request and stops after ${system.idleWindowMs / 1000} s idle (EVENTLINE_IDLE_WINDOW_MS)`,
        ]
      : []),
    '  handlers',
    ...Object.entries(system.handlerUrls).map(([name, url]) => `    ${name.padEnd(22)} ${url}`),
    '  jobs (PingSources)',
    ...system.pingSources
      .list()
      .map(
        ({ name, schedule, timezone }) =>
          `    ${name.padEnd(22)} ${schedule}${timezone ? ` (${timezone})` : ''}`,
      ),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  stopOnSignals(system);
}

/** The hybrid model: a central store and a local system per region (`--regions`). */
async function startRegions(opts: StartOptions, regions: string[], started: number): Promise<void> {
  const { startHybridSystem } = require('./regions') as typeof import('./regions');
  let hybrid;
  try {
    hybrid = await startHybridSystem({
      regions,
      topology: opts.topology,
      host: opts.host,
      edgePort: opts.edgePort,
    });
  } catch (err) {
    throw new CliError((err as Error).message, 1);
  }
  const installs = [['central', hybrid.central] as const, ...hybrid.regions.entries()];
  const lines = [
    '',
    `Eventline is running: ${regions.join(', ')} and the central store (${opts.topology}, ready in ${Date.now() - started} ms)`,
    ...installs.flatMap(([name, system]) => [
      `  ${name}`,
      `    API        ${system.edgeUrl}`,
      `    broker     ${system.brokerUrl}`,
      `    postgres   ${system.dependencies.postgres}`,
      `    handlers   ${Object.keys(system.handlerUrls).join(', ')}`,
      `    jobs       ${
        system.pingSources
          .list()
          .map(({ name: job }) => job)
          .join(', ') || 'none'
      }`,
    ]),
    `  master inventory view   curl ${hybrid.central.edgeUrl}/central/inventory/<sku>`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  stopOnSignals(hybrid);
}

/** Ctrl-C or a SIGTERM stops what was started, then the process. */
function stopOnSignals(running: { stop(): Promise<void> }): void {
  const stop = async () => {
    await running.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

const program = new Command()
  .name('eventline')
  .description(
    'Runs Eventline locally (start, the default), and operates a running system by its URL',
  )
  .exitOverride();

program
  .command('start', { isDefault: true })
  .description(
    'runs every Eventline handler locally behind the broker, on embedded or given servers',
  )
  .addOption(
    new Option(
      '--topology <topology>',
      'each handler its own OS process, started on demand and stopped when idle; or all in this process',
    )
      .choices(['processes', 'in-process'])
      .default('processes'),
  )
  .option(
    '--edge-port <port>',
    'port of the public API gateway (default: EVENTLINE_EDGE_PORT, 8080)',
    port,
  )
  .option(
    '--broker-port <port>',
    'port of the broker ingress (default: EVENTLINE_BROKER_PORT, 8081)',
    port,
  )
  .option('--host <host>', 'interface to listen on (default: EVENTLINE_HOST, 127.0.0.1)')
  .option(
    '--regions <names>',
    'the hybrid model: these regions (comma-separated) and a central store, each its own system; the central store on the edge port, region i on the edge port + 1 + i (needs KAFKA_BROKERS)',
    regionList,
  )
  .action((opts: StartOptions) => start(opts));

addOperatorCommands(program);

program.parseAsync().catch((err: Error) => {
  if (err instanceof CommanderError) {
    // Help and version end well; any other complaint of the parser is a bad command line.
    process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
  }
  process.stderr.write(`eventline: ${err.message}\n`);
  process.exit(err instanceof CliError ? err.exitCode : EXIT.failed);
});
