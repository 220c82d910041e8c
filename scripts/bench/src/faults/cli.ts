#!/usr/bin/env node
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import {
  DEFAULT_RATE,
  FULL_MODE,
  reliabilityDocument,
  resultsTable,
  runCampaign,
  scenarioFailed,
  SCENARIOS,
  SHORT_MODE,
} from './index';

function positive(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('must be positive.');
  return parsed;
}

/** The commit measured, marked when the working tree has changes on top of it. */
function commit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  const head = git('rev-parse', '--short', 'HEAD');
  return git('status', '--porcelain', '--untracked-files=no') === '' ? head : `${head} + changes`;
}

function machine(): string {
  const cores = execFileSync('nproc', { encoding: 'utf8' }).trim();
  const cpu = os.cpus()[0]?.model ?? 'cpu';
  return `${cores} cores (nproc) of ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}`;
}

const program = new Command('faults')
  .description(
    'The fault campaign: a steady order load on its own Postgres, Redis and Kafka while one fault at a time strikes; writes RELIABILITY.md in full mode',
  )
  .option(
    '--short',
    'about 15 s per scenario (as `npm test` runs it); RELIABILITY.md is left alone',
  )
  .option(
    '--seconds <n>',
    `how long each fault goes on (default ${FULL_MODE.scenarioSeconds}, ${SHORT_MODE.scenarioSeconds} with --short)`,
    positive,
  )
  .option('--rate <n>', 'orders offered per second', positive, DEFAULT_RATE)
  .option(
    '--scenario <name...>',
    `only these scenarios (${SCENARIOS.map((s) => s.name).join(', ')})`,
  )
  .action(
    async (opts: { short?: boolean; seconds?: number; rate: number; scenario?: string[] }) => {
      const unknown = (opts.scenario ?? []).filter((n) => !SCENARIOS.some((s) => s.name === n));
      if (unknown.length > 0) program.error(`unknown scenario: ${unknown.join(', ')}`);
      const mode = opts.short ? SHORT_MODE : FULL_MODE;
      const scenarioSeconds = opts.seconds ?? mode.scenarioSeconds;
      const started = new Date();
      const results = await runCampaign({
        scenarioSeconds,
        rate: opts.rate,
        recoveryWindowMs: mode.recoveryWindowMs,
        only: opts.scenario,
        log: (line) => process.stderr.write(`[faults] ${line}\n`),
      });
      const table = resultsTable(results);
      process.stdout.write(`${table.join('\n')}\n`);
      const complete = !opts.short && !opts.scenario && opts.seconds === undefined;
      if (complete) {
        const document = reliabilityDocument(results, {
          machine: machine(),
          date: started.toISOString().replace(/\.\d+Z$/, 'Z'),
          commit: commit(),
          rate: opts.rate,
          scenarioSeconds,
        });
        // `npm run` starts scripts in the project's root directory.
        writeFileSync(path.resolve('RELIABILITY.md'), document);
        process.stdout.write('RELIABILITY.md written\n');
      }
      const failed = results.filter(scenarioFailed).map((r) => r.scenario);
      if (failed.length > 0) {
        process.stderr.write(`[faults] FAILED: ${failed.join(', ')}\n`);
        process.exitCode = 1;
      }
    },
  );

// Exits once done: keep-alive sockets and telemetry would hold the process open a while longer.
program.parseAsync().then(
  () => process.exit(),
  (err: unknown) => {
    process.stderr.write(`[faults] ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
