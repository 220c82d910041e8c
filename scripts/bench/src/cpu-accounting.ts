import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system) each named component has used so far, from Linux's /proc. */
export type CpuSnapshot = Map<string, number>;

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return ticksPerSecond;
}

function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return undefined;
  }
}

/** The servers this machine runs for the bench, found by their command lines. */
function serverProcesses(): Array<[string, number]> {
  const found: Array<[string, number]> = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    let command: string;
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (command.includes('kafka.Kafka')) found.push(['Kafka', pid]);
    else if (/(^|\/)postgres\0/.test(command) || command.startsWith('postgres:'))
      found.push(['Postgres', pid]);
    else if (command.includes('redis-server')) found.push(['Redis', pid]);
  }
  return found;
}

/**
 * Snapshots the CPU time of the given processes and of the local Kafka, Postgres and Redis
 * servers (all their processes: Postgres runs a process per connection). Empty where /proc is
 * missing (not Linux) and without the servers when they run elsewhere (containers, URLs).
 */
export function cpuSnapshot(processes: Array<[string, number | undefined]>): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  let all: Array<[string, number | undefined]>;
  try {
    all = [...processes, ...serverProcesses()];
  } catch {
    return snapshot;
  }
  for (const [name, pid] of all) {
    const seconds = pid === undefined ? undefined : cpuSecondsOf(pid);
    if (seconds !== undefined) snapshot.set(name, (snapshot.get(name) ?? 0) + seconds);
  }
  return snapshot;
}

/** CPU seconds per component between two snapshots, largest first. */
export function cpuUsedBetween(before: CpuSnapshot, after: CpuSnapshot): Array<[string, number]> {
  return [...after]
    .map(([name, seconds]): [string, number] => [name, seconds - (before.get(name) ?? 0)])
    .sort((a, b) => b[1] - a[1]);
}

/** The mean of several measurements per component, largest first; a missing one counts as 0. */
export function meanByName(measurements: Array<Array<[string, number]>>): Array<[string, number]> {
  const sums = new Map<string, number>();
  for (const measurement of measurements)
    for (const [name, value] of measurement) sums.set(name, (sums.get(name) ?? 0) + value);
  return [...sums]
    .map(([name, sum]): [string, number] => [name, sum / Math.max(measurements.length, 1)])
    .sort((a, b) => b[1] - a[1]);
}

/** The sum over every component of a measurement. */
export function totalOf(measurement: Array<[string, number]>): number {
  return measurement.reduce((sum, [, value]) => sum + value, 0);
}

/**
 * A report's table of CPU per unit of work by process, largest first as measured, with each
 * process's share of the total; processes under 0.05 ms are left out. `totalShare` fills the
 * total row's share column.
 */
export function cpuTableRows(
  measurement: Array<[string, number]>,
  unit: string,
  totalShare = '',
): string[] {
  const total = totalOf(measurement);
  return [
    `| process | CPU per ${unit} | share |`,
    '|---|---|---|',
    ...measurement
      .filter(([, cpuMs]) => cpuMs >= 0.05)
      .map(
        ([name, cpuMs]) =>
          `| ${name} | ${cpuMs.toFixed(2)} ms | ${((100 * cpuMs) / total).toFixed(0)}% |`,
      ),
    `| **total** | **${total.toFixed(2)} ms** | ${totalShare} |`,
  ];
}
