#!/usr/bin/env node
import { Command } from 'commander';
import { resolveTestServers } from '@eventline/testing';
import type { Topology } from '@eventline/runtime';
import { runSimulation } from './iot/simulate';

const program = new Command()
  .name('iot:simulate')
  .description(
    'a fleet of simulated devices sending readings with injected spikes to the telemetry system; reports anomalies detected, missed and falsely raised',
  )
  .option('--devices <n>', 'devices in the fleet', '1000')
  .option('--rate <n>', 'readings per second', '20000')
  .option('--seconds <n>', 'how long the fleet sends', '20')
  .option('--anomaly-rate <p>', 'chance of a spike per reading once a device is warm', '0.002')
  .option('--seed <n>', 'seed of the fleet (same seed, same readings)', '1')
  .option('--topology <t>', 'in-process, or processes (each handler its own process)', 'in-process')
  .action(
    async (opts: {
      devices: string;
      rate: string;
      seconds: string;
      anomalyRate: string;
      seed: string;
      topology: string;
    }) => {
      const servers = await resolveTestServers();
      try {
        const report = await runSimulation(
          servers,
          {
            devices: Number(opts.devices),
            rate: Number(opts.rate),
            seconds: Number(opts.seconds),
            anomalyRate: Number(opts.anomalyRate),
            seed: Number(opts.seed),
            topology: opts.topology as Topology,
          },
          (line) => process.stdout.write(`${line}\n`),
        );
        const { alertLatency: l } = report;
        process.stdout.write(
          [
            `readings: ${report.offered} offered, sent at ${report.sentRate.toFixed(0)}/s, ${report.stored} stored (${report.storedRate.toFixed(0)}/s end to end), ${report.rejectedRequests} requests refused`,
            `anomalies: ${report.injected} injected, ${report.detected} detected, ${report.missed} missed, ${report.falselyRaised} falsely raised`,
            `alert latency (reading produced → alert stored): p50 ${l.p50.toFixed(0)} ms, p99 ${l.p99.toFixed(0)} ms, max ${l.max.toFixed(0)} ms over ${l.count}`,
            '',
          ].join('\n'),
        );
      } finally {
        await servers.stop();
      }
      process.exit(0);
    },
  );

void program.parseAsync();
