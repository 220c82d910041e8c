#!/usr/bin/env node
import { Command, Option } from 'commander';
import { startTelemetry } from '@eventline/telemetry';
import { startLocalSystem, type Topology } from './local-system';

const program = new Command()
  .name('eventline')
  .description(
    'Runs every Eventline handler locally behind the broker, on embedded or given servers',
  )
  .addOption(
    new Option('--topology <topology>', 'in-process, or one OS process per handler')
      .choices(['in-process', 'processes'])
      .default('in-process'),
  )
  .option(
    '--edge-port <port>',
    'port of the public API gateway',
    process.env.EVENTLINE_EDGE_PORT ?? '8080',
  )
  .option(
    '--broker-port <port>',
    'port of the broker ingress',
    process.env.EVENTLINE_BROKER_PORT ?? '8081',
  )
  .option('--host <host>', 'interface to listen on', process.env.EVENTLINE_HOST ?? '127.0.0.1')
  .parse();

async function main(): Promise<void> {
  const opts = program.opts<{
    topology: Topology;
    edgePort: string;
    brokerPort: string;
    host: string;
  }>();
  startTelemetry('eventline-local');
  const started = Date.now();
  const system = await startLocalSystem({
    topology: opts.topology,
    host: opts.host,
    edgePort: Number(opts.edgePort),
    brokerPort: Number(opts.brokerPort),
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
    '  handlers',
    ...Object.entries(system.handlerUrls).map(([name, url]) => `    ${name.padEnd(20)} ${url}`),
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
