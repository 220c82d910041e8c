import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { KafkaEventLog, LocalBroker, kafkaNames } from '@eventline/broker';
import { createLogger } from '@eventline/telemetry';
import type { RoundTrip } from './raw-kafka';

async function listen(
  handler: http.RequestListener,
): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * The same round trip through the local broker on Kafka: ingress → topic → trigger → handler
 * (replies with a CloudEvent) → reply re-enters the broker → trigger → receiver.
 */
export function brokerRoundTrip(brokers: string[], namespace: string): RoundTrip {
  const logger = createLogger('bench', 'error');
  const broker = new LocalBroker({
    namespace,
    name: 'default',
    eventLog: new KafkaEventLog({
      brokers,
      topic: kafkaNames.topic(namespace, 'default'),
      partitions: 4,
      log: logger,
    }),
    logger,
  });
  const servers: http.Server[] = [];
  let ingressUrl = '';
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  return {
    async start(onReply) {
      const handler = await listen((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(200, {
            'ce-specversion': '1.0',
            'ce-id': `reply-${String(req.headers['ce-id'])}`,
            'ce-source': '/bench/handler',
            'ce-type': 'bench.reply',
            'ce-sentat': String(req.headers['ce-sentat']),
            'ce-partitionkey': String(req.headers['ce-partitionkey']),
            'content-type': 'application/json',
          });
          res.end('{}');
        });
      });
      const receiver = await listen((req, res) => {
        onReply(Number(req.headers['ce-sentat']));
        req.resume();
        res.writeHead(202).end();
      });
      const ingress = await listen(express().use(broker.ingress()));
      servers.push(handler.server, receiver.server, ingress.server);
      ingressUrl = `${ingress.url}${broker.path}`;
      const delivery = { retry: 3, backoffPolicy: 'exponential' as const, backoffDelay: 'PT0.1S' };
      await broker.addTrigger({
        name: 'handler',
        subscriber: `${handler.url}/`,
        filter: { attributes: { type: 'bench.request' } },
        ordered: false,
        delivery,
      });
      await broker.addTrigger({
        name: 'receiver',
        subscriber: `${receiver.url}/`,
        filter: { attributes: { type: 'bench.reply' } },
        ordered: false,
        delivery,
      });
    },
    send(sentAt, key) {
      const request = http.request(ingressUrl, {
        method: 'POST',
        agent,
        headers: {
          'ce-specversion': '1.0',
          'ce-id': `${key}-${sentAt}`,
          'ce-source': '/bench',
          'ce-type': 'bench.request',
          'ce-sentat': String(sentAt),
          'ce-partitionkey': key,
          'content-type': 'application/json',
        },
      });
      request.on('response', (response) => response.resume());
      request.end('{}');
    },
    async stop() {
      await broker.close();
      for (const server of servers) {
        server.closeAllConnections();
        server.close();
      }
      agent.destroy();
    },
  };
}
