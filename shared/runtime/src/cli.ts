#!/usr/bin/env node
// First: when traces are exported, the instrumentations patch node:http before the gateway loads it.
import '@eventline/telemetry/instrument';
import { Command, InvalidArgumentError, Option } from 'commander';
import { startTelemetry } from '@eventline/telemetry';
import { portSchema, readLocalSystemEnv } from './config';
import { startLocalSystem, type Topology } from './local-system';

function environment() {
  try {
    return readLocalSystemEnv(process.env);
  } catch (err) {
    process.stderr.write(`eventline: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

const env = environment();

function port(value: string): number {
  const parsed = portSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError('must be a port number, 0-65535.');
  return parsed.data;
}

const program = new Command()
  .name('eventline')
  .description(
    'Runs every Eventline handler locally behind the broker, on embedded or given servers',
  )
  .addOption(
    new Option(
      '--topology <topology>',
      'each handler its own OS process, started on demand and stopped when idle; or all in this process',
    )
      .choices(['processes', 'in-process'])
      .default('processes'),
  )
  .option('--edge-port <port>', 'port of the public API gateway', port, env.EVENTLINE_EDGE_PORT)
  .option('--broker-port <port>', 'port of the broker ingress', port, env.EVENTLINE_BROKER_PORT)
  .option('--host <host>', 'interface to listen on', env.EVENTLINE_HOST)
  .parse();

async function main(): Promise<void> {
  const opts = program.opts<{
    topology: Topology;
    edgePort: number;
    brokerPort: number;
    host: string;
  }>();
  startTelemetry('eventline-local');
  const started = Date.now();
  const system = await startLocalSystem({
    topology: opts.topology,
    host: opts.host,
    edgePort: opts.edgePort,
    brokerPort: opts.brokerPort,
  });
  const lines = [
    '',
    `Eventline is running (${opts.topology}, ready in ${Date.now() - started} ms)`,
    `  API          ${system.edgeUrl}   e.g. curl -X PUT ${system.edgeUrl}/flags/checkout -H 'content-type: application/json' -d '{"enabled":true}'`,
    `  broker       ${system.brokerUrl}   (POST CloudEvents here)`,
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
  const stop = async () => {
    await system.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: Error) => {
  process.stderr.write(`eventline: ${err.message}\n`);
  process.exit(1);
});
