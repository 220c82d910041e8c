import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KafkaEventLog, LocalBroker, kafkaNames } from '@eventline/broker';
import { postMessage, type HttpResponse } from '@eventline/cloudevents-http';
import { createLogger } from '@eventline/telemetry';
import {
  processesOf,
  spawnRole,
  type RoundTrip,
  type RunningRole,
  type SpawnedRole,
} from './round-trip';

async function listen(
  handler: http.RequestListener,
): Promise<{ server: http.Server; url: string; stop(): Promise<void> }> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The subscriber of the broker round trip: a Knative-style service replying with a CloudEvent. */
export async function httpHandlerRole(): Promise<RunningRole> {
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
  return { ready: { url: handler.url }, stop: handler.stop };
}

interface BrokerRoleConfig {
  brokers: string[];
  namespace: string;
  handlerUrl: string;
  receiverUrl: string;
}

/** The broker under test: ingress, Kafka log and both triggers' dispatchers, one process. */
export async function brokerRole(config: BrokerRoleConfig): Promise<RunningRole> {
  const logger = createLogger('bench-broker', 'error');
  const broker = new LocalBroker({
    namespace: config.namespace,
    name: 'default',
    eventLog: new KafkaEventLog({
      brokers: config.brokers,
      topic: kafkaNames.topic(config.namespace, 'default'),
      partitions: 4,
      log: logger,
    }),
    logger,
  });
  const delivery = { retry: 3, backoffPolicy: 'exponential' as const, backoffDelay: 'PT0.1S' };
  const triggers = [
    ['handler', config.handlerUrl, 'bench.request'],
    ['receiver', config.receiverUrl, 'bench.reply'],
  ] as const;
  for (const [name, url, type] of triggers) {
    await broker.addTrigger({
      name,
      subscriber: `${url}/`,
      filter: { attributes: { type } },
      ordered: false,
      delivery,
    });
  }
  const ingress = await listen(broker.ingress());
  return {
    ready: { ingress: `${ingress.url}${broker.path}` },
    async stop() {
      await ingress.stop();
      await broker.close();
    },
  };
}

const EMPTY_JSON = Buffer.from('{}');

/** A CloudEvent POSTed in binary mode as Eventline sends one: its outbox relay, its dispatcher. */
function postRequest(url: string, sentAt: number, key: string): Promise<HttpResponse> {
  return postMessage(url, {
    attributes: {
      specversion: '1.0',
      id: `${key}-${sentAt}`,
      source: '/bench',
      type: 'bench.request',
      sentat: String(sentAt),
      partitionkey: key,
      datacontenttype: 'application/json',
    },
    body: EMPTY_JSON,
  });
}

/**
 * The floor under the broker's overhead: one HTTP exchange with the replying handler in its own
 * process, no Kafka. The broker path crosses eight process boundaries one way (client → ingress →
 * Kafka → dispatcher → handler → dispatcher → Kafka → dispatcher → receiver) where raw Kafka
 * crosses four: the difference is as many hops as two of these exchanges.
 */
export function httpRoundTrip(): RoundTrip {
  let handler: SpawnedRole | undefined;
  let onReply: (sentAt: number) => void = () => undefined;
  return {
    async start(reply) {
      onReply = reply;
      handler = await spawnRole('http-handler', {});
    },
    send(sentAt, key) {
      void postRequest(`${handler?.ready.url}/`, sentAt, key).then(() => onReply(sentAt));
    },
    async stop() {
      await handler?.stop();
    },
    processes: () => processesOf(handler ? [handler] : []),
  };
}

/**
 * The same round trip through the local broker on Kafka: ingress → topic → trigger → handler
 * (replies with a CloudEvent) → reply re-enters the broker → trigger → receiver.
 */
export function brokerRoundTrip(brokers: string[], namespace: string): RoundTrip {
  const running: Array<{ stop(): Promise<void> }> = [];
  const spawned: SpawnedRole[] = [];
  let ingressUrl = '';
  return {
    async start(onReply) {
      const handler = await spawnRole('http-handler', {});
      running.push(handler);
      spawned.push(handler);
      const receiver = await listen((req, res) => {
        onReply(Number(req.headers['ce-sentat']));
        req.resume();
        res.writeHead(202).end();
      });
      running.push(receiver);
      const broker = await spawnRole('broker', {
        brokers,
        namespace,
        handlerUrl: handler.ready.url,
        receiverUrl: receiver.url,
      });
      running.unshift(broker);
      spawned.push(broker);
      ingressUrl = broker.ready.ingress as string;
    },
    send(sentAt, key) {
      void postRequest(ingressUrl, sentAt, key);
    },
    async stop() {
      for (const role of running.splice(0)) await role.stop();
    },
    processes: () => processesOf(spawned),
  };
}
