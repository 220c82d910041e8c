import os from 'node:os';
import { uniqueName } from '@eventline/testing';
import { cpuSnapshot, cpuUsedBetween } from './cpu-accounting';
import { offerLoad, summarize, type LatencySummary } from './latency';
import { brokerRoundTrip, httpRoundTrip } from './round-trip/broker';
import { kafkajsRoundTrip, platformaticRoundTrip } from './round-trip/raw-kafka';
import type { RoundTrip } from './round-trip/round-trip';

export interface BrokerBenchOptions {
  brokers: string[];
  rate: number;
  seconds: number;
  warmupSeconds: number;
  /** raw @platformatic/kafka and broker measured back to back this many times, alternating */
  rounds: number;
  /**
   * A nice value for the processes each variant starts (its handler, the broker), as pods given
   * their own CPU share: the load generator and Kafka keep theirs. Unset: no change.
   */
  priority?: number;
}

export interface VariantResult {
  latency: LatencySummary;
  /** CPU microseconds per round trip over the measured window, by process */
  cpuUsPerRoundTrip: Array<[string, number]>;
}

type LoadOptions = Pick<BrokerBenchOptions, 'rate' | 'seconds' | 'warmupSeconds' | 'priority'>;

function prioritize(processes: Array<[string, number | undefined]>, priority: number): void {
  for (const [name, pid] of processes) {
    try {
      if (pid !== undefined) os.setPriority(pid, priority);
    } catch (err) {
      throw new Error(
        `--priority ${priority}: cannot renice ${name} (a negative value needs root or CAP_SYS_NICE)`,
        { cause: err },
      );
    }
  }
}

/** Offers a round trip its load after a warm-up; latency and CPU over the measured window. */
export async function measureRoundTrip(
  roundTrip: RoundTrip,
  options: LoadOptions,
): Promise<VariantResult> {
  let latencies: number[] = [];
  await roundTrip.start((sentAt) => latencies.push(performance.now() - sentAt));
  try {
    if (options.priority !== undefined) prioritize(roundTrip.processes(), options.priority);
    const keys = 64;
    await offerLoad(
      options.rate,
      options.warmupSeconds,
      (i) => roundTrip.send(performance.now(), `k${i % keys}`),
      () => latencies.length,
    );
    latencies = [];
    const processes = (): Array<[string, number | undefined]> => [
      ['load generator and receiver', process.pid],
      ...roundTrip.processes(),
    ];
    const before = cpuSnapshot(processes());
    const windowMs = await offerLoad(
      options.rate,
      options.seconds,
      (i) => roundTrip.send(performance.now(), `k${i % keys}`),
      () => latencies.length,
    );
    const cpu = cpuUsedBetween(before, cpuSnapshot(processes()));
    const roundTrips = Math.max(latencies.length, 1);
    return {
      latency: summarize(latencies, windowMs),
      cpuUsPerRoundTrip: cpu.map(([name, seconds]) => [name, (seconds * 1e6) / roundTrips]),
    };
  } finally {
    await roundTrip.stop();
  }
}

/** One raw @platformatic/kafka measurement and the broker's right after it. */
export interface BrokerRound {
  platformatic: VariantResult;
  broker: VariantResult;
}

export interface BrokerBenchResult {
  kafkajs: VariantResult;
  rounds: BrokerRound[];
  http: VariantResult;
}

/**
 * Raw request/reply on each Kafka client and the broker path, in one run on one Kafka. The broker
 * is compared with raw Kafka in alternating rounds: on a shared machine the noise drifts over a
 * run, and a pair measured back to back sees the same noise.
 */
export async function runBrokerBench(options: BrokerBenchOptions): Promise<BrokerBenchResult> {
  const run = uniqueName('bench');
  const kafkajs = await measureRoundTrip(
    kafkajsRoundTrip(options.brokers, `${run}-kafkajs`),
    options,
  );
  const rounds: BrokerRound[] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    const platformatic = await measureRoundTrip(
      await platformaticRoundTrip(options.brokers, `${run}-platformatic-${round}`),
      options,
    );
    const broker = await measureRoundTrip(
      brokerRoundTrip(options.brokers, `${run}-${round}`),
      options,
    );
    rounds.push({ platformatic, broker });
  }
  const http = await measureRoundTrip(httpRoundTrip(), options);
  return { kafkajs, rounds, http };
}
