import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { KafkaEventLog, LocalBroker, kafkaNames } from '@eventline/broker';
import { CloudEvent } from '@eventline/cloudevents-http';
import { createLogger } from '@eventline/telemetry';
import { eventually, testServerEnv, uniqueName } from '@eventline/testing';
import { RecordingSubscriber } from '../support/recording-subscriber';

const logger = createLogger('dispatcher-group', 'silent');
const servers = testServerEnv();
/** Kafka's smallest session by default (group.min.session.timeout.ms): a dead dispatcher is noticed soonest. */
const SESSION_TIMEOUT_MS = 6000;
/**
 * A dispatcher commits its progress every second: one killed without warning had delivered at
 * most this long's events (plus a commit's round trip, on a loaded machine) that its partitions'
 * new owner delivers again. Nothing else may reach the subscriber twice.
 */
const UNCOMMITTED_WINDOW_MS = 3000;
const KEYS = 16;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function brokerOf(namespace: string, clientId: string): LocalBroker {
  return new LocalBroker({
    namespace,
    name: 'default',
    eventLog: new KafkaEventLog({
      brokers: servers.kafkaBrokers.split(','),
      topic: kafkaNames.topic(namespace, 'default'),
      partitions: 4,
      clientId,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      log: logger,
    }),
    logger,
  });
}

const trigger = (url: string) => ({
  name: 'replicas',
  subscriber: url,
  filter: { attributes: { type: 'replicas.test' } },
  ordered: true,
  delivery: { retry: 0, backoffPolicy: 'linear' as const, backoffDelay: 'PT0.01S' },
});

/** A steady stream of keyed events published from a broker of its own, `at(i)` called before each. */
async function stream(publisher: LocalBroker, total: number, at: (i: number) => Promise<void>) {
  for (let i = 0; i < total; i += 1) {
    await at(i);
    await publisher.publish(
      new CloudEvent({
        id: `e-${i}`,
        source: '/replicas',
        type: 'replicas.test',
        partitionkey: `key-${i % KEYS}`,
        data: { i },
      }),
    );
    await sleep(10);
  }
}

/** Each id's receptions, in the order they arrived. */
function receptions(subscriber: RecordingSubscriber): Map<string, number[]> {
  const byId = new Map<string, number[]>();
  for (const request of subscriber.received) {
    const id = String(request.headers['ce-id']);
    byId.set(id, [...(byId.get(id) ?? []), request.at]);
  }
  return byId;
}

const allIds = (total: number) => Array.from({ length: total }, (_, i) => `e-${i}`).sort();

describe('dispatcher replicas of one broker share its partitions through a consumer group', () => {
  jest.setTimeout(180_000);

  it('given a dispatcher under a steady stream, when a second one joins and later the first stops, then every event is delivered exactly once, in order per key, and both delivered some', async () => {
    const namespace = uniqueName('replicas');
    const subscriber = await new RecordingSubscriber().start();
    const publisher = brokerOf(namespace, 'publisher');
    const first = brokerOf(namespace, 'dispatcher-a');
    const second = brokerOf(namespace, 'dispatcher-b');
    const total = 450;
    try {
      await first.addTrigger(trigger(subscriber.url));
      await stream(publisher, total, async (i) => {
        if (i === 150) await second.addTrigger(trigger(subscriber.url));
        if (i === 300) await first.close();
      });
      await eventually(async () => receptions(subscriber).size === total || undefined, 60_000);
      await sleep(1500);

      const byId = receptions(subscriber);
      expect([...byId.keys()].sort()).toEqual(allIds(total));
      // Both handovers are clean: the releasing dispatcher settles and commits before the new
      // owner starts, so not one event reaches the subscriber twice.
      expect([...byId].filter(([, times]) => times.length > 1).map(([id]) => id)).toEqual([]);
      for (let key = 0; key < KEYS; key += 1) {
        const sequence = subscriber
          .ids()
          .map((id) => Number(id.slice(2)))
          .filter((i) => i % KEYS === key);
        expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
      }
      expect(first.triggerStats('replicas')?.delivered).toBeGreaterThan(0);
      expect(second.triggerStats('replicas')?.delivered).toBeGreaterThan(0);
    } finally {
      await Promise.allSettled([first.close(), second.close(), publisher.close()]);
      await subscriber.stop();
    }
  });

  it('given two dispatcher processes under a steady stream, when one is killed with SIGKILL, then the other takes over its partitions and nothing is lost, and only what the killed one had not committed is delivered twice', async () => {
    const namespace = uniqueName('replicas');
    const subscriber = await new RecordingSubscriber().start();
    const publisher = brokerOf(namespace, 'publisher');
    const processes: ChildProcess[] = [];
    const startProcess = async (clientId: string): Promise<ChildProcess> => {
      const child = spawn(process.execPath, [path.join(__dirname, 'dispatcher-process.js')], {
        env: {
          ...process.env,
          KAFKA_BROKERS: servers.kafkaBrokers,
          NAMESPACE: namespace,
          SUBSCRIBER: subscriber.url,
          CLIENT_ID: clientId,
          SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
        },
      });
      processes.push(child);
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await eventually(async () => {
        if (child.exitCode !== null) throw new Error(`dispatcher exited: ${output}`);
        return output.includes('ready') || undefined;
      }, 60_000);
      return child;
    };
    const total = 800;
    let killedAt = 0;
    try {
      await startProcess('dispatcher-a');
      const second = await startProcess('dispatcher-b');
      await stream(publisher, total, async (i) => {
        if (i === 300) {
          second.kill('SIGKILL');
          killedAt = Date.now();
        }
      });
      await eventually(async () => receptions(subscriber).size === total || undefined, 90_000);
      await sleep(1500);

      const byId = receptions(subscriber);
      expect([...byId.keys()].sort()).toEqual(allIds(total));
      const twice = [...byId].filter(([, times]) => times.length > 1);
      // Only events the killed dispatcher delivered after its last commit come again.
      expect(
        twice.filter(([, times]) => (times[0] as number) < killedAt - UNCOMMITTED_WINDOW_MS),
      ).toEqual([]);
      expect(twice.every(([, times]) => times.length === 2)).toBe(true);
    } finally {
      const running = processes.filter(
        (child) => child.exitCode === null && child.signalCode === null,
      );
      await Promise.all(
        running.map((child) => {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          return exited;
        }),
      );
      await publisher.close();
      await subscriber.stop();
    }
  });
});
