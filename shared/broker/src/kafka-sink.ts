import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Producer } from '@platformatic/kafka' with { 'resolution-mode': 'import' };
import { InvalidEventError, messageFromHttp } from '@eventline/cloudevents-http';
import type { KafkaSinkRoute } from '@eventline/routing';
import type { Logger } from '@eventline/telemetry';
import { toRecord } from './backends/kafka';

type RecordProducer = Producer<string, Buffer, string, string>;

/** The largest event a sink takes: as Kafka's default largest record. */
const BODY_LIMIT_BYTES = 1_048_576;

export interface LocalKafkaSinkOptions {
  route: KafkaSinkRoute;
  brokers: string[];
  host: string;
  log: Logger;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) reject(new InvalidEventError('event larger than 1 MiB'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A KafkaSink run in-process, as `npm start -- --regions` runs the cluster's: an addressable
 * that writes each CloudEvent POSTed to it to its topic in binary content mode (ce_* headers,
 * data as the value, keyed by `partitionkey`) and answers 202 once Kafka acknowledged the
 * record; 503 while Kafka does not, so the broker's trigger retries. `bytes` counts what it
 * wrote (value and headers), the size of the feed.
 */
export class LocalKafkaSink {
  private producer?: RecordProducer;
  private server?: http.Server;
  /** the produce in flight: an idempotent producer's sends go one after another, in order */
  private sending: Promise<unknown> = Promise.resolve();
  url = '';
  records = 0;
  bytes = 0;

  constructor(private readonly options: LocalKafkaSinkOptions) {}

  async start(): Promise<void> {
    const kafka = await import('@platformatic/kafka');
    const { route, brokers, host, log } = this.options;
    this.producer = new kafka.Producer({
      clientId: `kafka-sink-${route.name}`,
      bootstrapBrokers: brokers,
      serializers: { ...kafka.stringSerializers, value: (body?: Buffer) => body },
      idempotent: true,
      autocreateTopics: true,
    });
    const producer = this.producer;
    this.server = http.createServer((req, res) => {
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' }).end();
        return;
      }
      void (async () => {
        let record;
        try {
          record = toRecord(messageFromHttp(req.headers, await readBody(req)));
        } catch (err) {
          if (!(err instanceof InvalidEventError)) throw err;
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: err.message }));
          return;
        }
        const message = { topic: route.topic, ...record };
        const sent = this.sending.then(() => producer.send({ messages: [message] }));
        this.sending = sent.catch(() => undefined);
        try {
          await sent;
        } catch (err) {
          log.warn({ err, sink: route.name, topic: route.topic }, 'kafka sink could not write');
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: `Kafka did not take the record: ${String(err)}` }));
          return;
        }
        this.records++;
        this.bytes += record.value.length;
        for (const [name, value] of record.headers) this.bytes += name.length + value.length;
        res.writeHead(202).end();
      })().catch((err: Error) => {
        log.error({ err, sink: route.name }, 'kafka sink failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    this.url = `http://${host}:${(server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server)
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    await this.producer?.close();
  }
}
