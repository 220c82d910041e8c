// One dispatcher of a broker in its own process, for the dispatcher-group test: the broker's
// Kafka log with one trigger, built from the workspace's compiled packages (`npm test` builds
// them first). Prints "ready" once the trigger consumes; SIGTERM closes it cleanly.
const { KafkaEventLog, LocalBroker, kafkaNames } = require('@eventline/broker');
const { createLogger } = require('@eventline/telemetry');

async function main() {
  const { KAFKA_BROKERS, NAMESPACE, SUBSCRIBER, CLIENT_ID, SESSION_TIMEOUT_MS } = process.env;
  const logger = createLogger(CLIENT_ID, 'warn');
  const broker = new LocalBroker({
    namespace: NAMESPACE,
    name: 'default',
    eventLog: new KafkaEventLog({
      brokers: KAFKA_BROKERS.split(','),
      topic: kafkaNames.topic(NAMESPACE, 'default'),
      partitions: 4,
      clientId: CLIENT_ID,
      sessionTimeoutMs: Number(SESSION_TIMEOUT_MS),
      log: logger,
    }),
    logger,
  });
  await broker.addTrigger({
    name: 'replicas',
    subscriber: SUBSCRIBER,
    filter: { attributes: { type: 'replicas.test' } },
    ordered: true,
    delivery: { retry: 0, backoffPolicy: 'linear', backoffDelay: 'PT0.01S' },
  });
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void broker.close().then(() => process.exit(0));
  });
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
