#!/usr/bin/env node
import http from 'node:http';
import {
  KafkaEventLog,
  LocalBroker,
  SenderPolicy,
  kafkaNames,
  type SenderAllowance,
  type TriggerSpec,
} from '@eventline/broker';
import { createLogger, serveMetrics, startTelemetry } from '@eventline/telemetry';

/**
 * The broker's dispatcher on its own, as the Knative Kafka broker runs it in a pod of its own:
 * a member of the broker's dispatcher group delivering the triggers it is given
 * (EVENTLINE_DISPATCHER_TRIGGERS, JSON) from the topic of EVENTLINE_NAMESPACE's broker, checking
 * their replies against the senders' grants (EVENTLINE_DISPATCHER_SENDERS, JSON) when given. It
 * answers /readyz once its triggers consume, serves /metrics, and drains on SIGTERM.
 */
async function main(): Promise<void> {
  const env = process.env;
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`invalid configuration: ${name}: required`);
    return value;
  };
  const namespace = required('EVENTLINE_NAMESPACE');
  const brokerName = required('EVENTLINE_BROKER_NAME');
  const triggers = JSON.parse(required('EVENTLINE_DISPATCHER_TRIGGERS')) as TriggerSpec[];
  const allowances = env.EVENTLINE_DISPATCHER_SENDERS
    ? (JSON.parse(env.EVENTLINE_DISPATCHER_SENDERS) as SenderAllowance[])
    : undefined;
  startTelemetry('eventline-dispatcher');
  const log = createLogger('eventline-dispatcher', env.LOG_LEVEL);
  const broker = new LocalBroker({
    namespace,
    name: brokerName,
    eventLog: new KafkaEventLog({
      brokers: required('KAFKA_BROKERS').split(','),
      topic: kafkaNames.topic(namespace, brokerName),
      partitions: env.EVENTLINE_BROKER_PARTITIONS
        ? Number(env.EVENTLINE_BROKER_PARTITIONS)
        : undefined,
      clientId: 'eventline-dispatcher',
      log,
    }),
    logger: log,
    // Replies carry no token: they are checked as sent by the subscriber they answer.
    senders: allowances && new SenderPolicy(allowances, new Map()),
    faults: env.EVENTLINE_DUPLICATE_DELIVERIES
      ? { duplicateDeliveries: Number(env.EVENTLINE_DUPLICATE_DELIVERIES) }
      : undefined,
  });
  let ready = false;
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') serveMetrics(req, res);
    else if (req.url === '/readyz' && ready) res.end(JSON.stringify({ pid: process.pid }));
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) =>
    server.listen(Number(required('PORT')), env.HOST ?? '127.0.0.1', resolve),
  );
  for (const trigger of triggers) await broker.addTrigger(trigger);
  ready = true;
  process.once('SIGTERM', () => {
    ready = false;
    void broker
      .close()
      .catch((err: unknown) => log.error({ err }, 'dispatcher did not close cleanly'))
      .finally(() => server.close(() => process.exit(0)));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
