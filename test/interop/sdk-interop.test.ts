import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { KafkaEventLog, LocalBroker, SenderPolicy, kafkaNames } from '@eventline/broker';
import type { Event } from '@eventline/cloudevents-http';
import {
  ANY_EVENT,
  defineHandler,
  defineService,
  migrateService,
  startHandler,
  type RunningHandler,
} from '@eventline/kit';
import { createPool } from '@eventline/store';
import { createLogger } from '@eventline/telemetry';
import {
  createTestDatabase,
  eventually,
  testServerEnv,
  uniqueName,
  type TestDatabase,
} from '@eventline/testing';
import { RecordingSubscriber, type ReceivedRequest } from '../support/recording-subscriber';
import { postStructured } from '../support/cloudevents';
import {
  ensureSdks,
  installTimeoutMs,
  sendWith,
  startReceiver,
  type EventSpec,
  type Mode,
  type RunningReceiver,
  type Sdk,
} from './sdks';

const logger = createLogger('sdk-interop', 'silent');
const servers = testServerEnv();

// Values from beyond ASCII, and the characters the HTTP binding percent-encodes (space, '"', '%').
const UNICODE = {
  subject: 'checked \u2713 caf\u00e9 "100%" \u{1F680}',
  extensions: { region: 'z\u00fcrich', note: 'na\u00efve \u00e9 \u2713 \u{1F680}', tier: 'gold' },
};
// The Python SDK's 1.x API writes header values raw, and Python's HTTP client encodes headers as
// ISO-8859-1: "✓" cannot be sent at all, "é" travels as one byte.
const LATIN1 = {
  subject: 'checked caf\u00e9 "100%" \u00bd',
  extensions: { region: 'z\u00fcrich', note: 'na\u00efve \u00e9 \u00b1', tier: 'gold' },
};
// Microseconds: both SDKs write this instant back as exactly this string.
const TIME = '2026-12-02T03:28:05.123456Z';

function eventsFor(type: string, label: string, values = UNICODE): EventSpec[] {
  return [
    {
      id: `${label}-json`,
      source: `/interop/${label}`,
      type,
      subject: values.subject,
      time: TIME,
      dataschema: 'https://schemas.example.com/interop/v1',
      datacontenttype: 'application/json',
      extensions: values.extensions,
      data: { text: 'h\u00e9llo \u2713', n: 1, nested: { list: [1, 'two'] } },
    },
    {
      id: `${label}-text`,
      source: `/interop/${label}`,
      type,
      subject: 'plain \u00e9',
      time: TIME,
      datacontenttype: 'text/plain',
      extensions: { region: values.extensions.region },
      data: 'plain text \u00e9 \u2713',
    },
  ];
}

/** Every attribute of a spec as the CloudEvent carries it, extensions included. */
function attributesOf(spec: EventSpec): Record<string, string> {
  const { data: _data, extensions, ...attributes } = spec;
  return { specversion: '1.0', ...attributes, ...extensions } as Record<string, string>;
}

/**
 * The attributes of a binary-mode delivery, read off the wire without the project's codec: the
 * broker writes ASCII headers, percent-encoding the rest, so decodeURIComponent is the oracle.
 */
function wireAttributes(request: ReceivedRequest): Record<string, string> {
  const attributes: Record<string, string> = {
    datacontenttype: String(request.headers['content-type']),
  };
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith('ce-')) attributes[name.slice(3)] = decodeURIComponent(String(value));
  }
  return attributes;
}

function expectData(spec: EventSpec, body: string): void {
  if (spec.datacontenttype.includes('json')) expect(JSON.parse(body)).toEqual(spec.data);
  else expect(body).toBe(spec.data);
}

/** The attributes the handler kit hands a handler, extensions included. */
function handlerAttributes(event: Event): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(event).filter(
      ([name, value]) => value !== undefined && name !== 'data' && name !== 'data_base64',
    ),
  );
}

const sends: Array<{ sdk: Sdk; mode: Mode; values?: typeof UNICODE }> = [
  { sdk: 'go', mode: 'binary' },
  { sdk: 'go', mode: 'structured' },
  { sdk: 'python', mode: 'binary' },
  { sdk: 'python', mode: 'structured' },
  { sdk: 'python-v1', mode: 'binary', values: LATIN1 },
  { sdk: 'python-v1', mode: 'structured' },
];

const receivers: Array<{ sdk: Sdk; replyMode: Mode; replySubject: string }> = [
  { sdk: 'go', replyMode: 'binary', replySubject: 'r\u00e9ponse \u2713 "go" 100%' },
  { sdk: 'python', replyMode: 'binary', replySubject: 'r\u00e9ponse \u2713 "core" 100%' },
  { sdk: 'python', replyMode: 'structured', replySubject: 'r\u00e9ponse \u2713 "core" 100%' },
  { sdk: 'python-v1', replyMode: 'binary', replySubject: 'r\u00e9ponse "v1" 100% \u00bd' },
  { sdk: 'python-v1', replyMode: 'structured', replySubject: 'r\u00e9ponse \u2713 "v1" 100%' },
];

/**
 * The SDK programs post as an external producer of the broker, with a bearer token as Knative
 * sources send their OIDC token; the SDK receivers' replies are their triggers' subscribers'.
 */
const SDK_TOKEN = randomBytes(24).toString('base64url');
const asSdkSender = { authorization: `Bearer ${SDK_TOKEN}` };

describe('the official CloudEvents SDKs (sdk-go, Python cloudevents) and the broker on the Kafka log', () => {
  const namespace = uniqueName('interop');
  const handled: Event[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  let broker: LocalBroker;
  let ingress: string;
  let database: TestDatabase;
  let kitHandler: RunningHandler;
  let triggers = 0;

  /** A trigger on exactly `type` to `subscriber`, retrying nothing so a refusal shows at once. */
  const trigger = async (type: string, subscriber: string) => {
    triggers += 1;
    await broker.addTrigger({
      name: `t${triggers}`,
      subscriber,
      filter: { attributes: { type } },
      ordered: false,
      delivery: { retry: 0, backoffPolicy: 'linear', backoffDelay: 'PT0.01S' },
      sender: 'handler sdk-subscribers',
    });
  };
  const recording = async (type: string) => {
    const subscriber = await new RecordingSubscriber().start();
    cleanups.push(() => subscriber.stop());
    await trigger(type, subscriber.url);
    return subscriber;
  };

  beforeAll(async () => {
    ensureSdks();
    broker = new LocalBroker({
      namespace,
      name: 'default',
      eventLog: new KafkaEventLog({
        brokers: servers.kafkaBrokers.split(','),
        topic: kafkaNames.topic(namespace, 'default'),
        partitions: 2,
        log: logger,
      }),
      logger,
      senders: new SenderPolicy(
        [
          { sender: 'sender sdks', types: ['*'] },
          { sender: 'handler sdk-subscribers', types: ['*'] },
        ],
        new Map([[SDK_TOKEN, 'sender sdks']]),
      ),
    });
    const server = http.createServer(broker.ingress());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    ingress = `http://127.0.0.1:${(server.address() as AddressInfo).port}${broker.path}`;

    // A handler written with the project's kit, taking any event and keeping what it was handed.
    const service = defineService({
      package: 'interop',
      schema: 'interop',
      migrations: [],
      handlers: [
        defineHandler({
          name: 'sdk-events',
          accepts: ANY_EVENT,
          async handle(_data, { event }) {
            handled.push(event);
          },
        }),
      ],
    });
    database = await createTestDatabase(servers.databaseUrl, 'interop');
    const pool = createPool(database.url, { max: 2 });
    await migrateService(service, pool);
    await pool.end();
    kitHandler = await startHandler(service, 'sdk-events', {
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: servers.redisUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
      },
    });
  }, installTimeoutMs);

  afterAll(async () => {
    await broker?.close();
    await kitHandler?.close();
    await Promise.all(cleanups.map((cleanup) => cleanup()));
    await database?.drop();
  });

  it.each(sends)(
    'given events sent by the $sdk SDK in $mode mode, when the broker delivers them, then a subscriber and a kit handler read every attribute, extension and data as sent, and none the SDK sent without its token',
    async ({ sdk, mode, values }) => {
      const type = `dev.eventline.interop.${namespace}.${sdk}.${mode}`;
      const specs = eventsFor(type, `${sdk}-${mode}`, values);
      const subscriber = await recording(type);
      await trigger(type, `${kitHandler.url}/`);

      expect(await sendWith(sdk, mode, ingress, specs)).toEqual([403, 403]);
      expect(await sendWith(sdk, mode, ingress, specs, SDK_TOKEN)).toEqual([202, 202]);

      await eventually(async () => (subscriber.received.length >= specs.length ? true : undefined));
      expect(subscriber.received).toHaveLength(specs.length);
      const delivered = new Map(subscriber.received.map((r) => [String(r.headers['ce-id']), r]));
      for (const spec of specs) {
        const request = delivered.get(spec.id) as ReceivedRequest;
        expect(wireAttributes(request)).toEqual(attributesOf(spec));
        expectData(spec, request.body);
      }

      const atHandler = await eventually(async () => {
        const ours = handled.filter((event) => event.type === type);
        return ours.length >= specs.length ? ours : undefined;
      });
      for (const spec of specs) {
        const event = atHandler.find((e) => e.id === spec.id) as Event;
        expect(handlerAttributes(event)).toEqual(attributesOf(spec));
        expect(event.data).toEqual(spec.data);
      }
      expect(subscriber.received).toHaveLength(specs.length);
    },
  );

  it.each(receivers)(
    'given a subscriber written with the $sdk SDK answering in $replyMode mode, when the broker delivers to it, then it reads each event and its reply re-enters the broker and reaches another trigger',
    async ({ sdk, replyMode, replySubject }) => {
      const type = `dev.eventline.interop.${namespace}.to-${sdk}-${replyMode}`;
      const replyType = `${type}.reply`;
      const replyExtensions = { lang: 'fran\u00e7ais', tier: 'gold' };
      const receiver: RunningReceiver = await startReceiver(sdk, {
        replyType,
        replySubject,
        replyExtensions,
        replyMode,
      });
      cleanups.push(() => receiver.stop());
      await trigger(type, receiver.url);
      const replies = await recording(replyType);

      const specs = eventsFor(type, `to-${sdk}-${replyMode}`);
      for (const spec of specs) {
        const { extensions, ...attributes } = spec;
        const response = await postStructured(
          ingress,
          { specversion: '1.0', ...attributes, ...extensions },
          asSdkSender,
        );
        expect(response.status).toBe(202);
      }

      await eventually(async () => (receiver.records.length >= specs.length ? true : undefined));
      for (const spec of specs) {
        const record = receiver.records.find((r) => r.attributes.id === spec.id);
        expect(record?.attributes).toEqual(readBy(sdk, attributesOf(spec)));
        expectData(spec, record?.data ?? '');
      }

      const received = await eventually(async () =>
        replies.received.length >= specs.length ? replies.received : undefined,
      );
      const source = sdk === 'go' ? '/interop/go-receiver' : '/interop/python-receiver';
      for (const spec of specs) {
        const reply = received.find((r) => r.headers['ce-id'] === `reply-${spec.id}`);
        expect(reply).toBeDefined();
        const { time, ...attributes } = wireAttributes(reply as ReceivedRequest);
        expect(Number.isNaN(Date.parse(time as string))).toBe(false);
        expect(attributes).toEqual({
          specversion: '1.0',
          id: `reply-${spec.id}`,
          source,
          type: replyType,
          subject: replySubject,
          datacontenttype: 'application/json',
          ...replyExtensions,
        });
        expect(JSON.parse((reply as ReceivedRequest).body)).toEqual({ inReplyTo: spec.id });
      }
    },
  );
});

/**
 * The attributes as the SDK's receiver reads a delivery. sdk-go v2.16.2 (cloudevents/sdk-go#1331)
 * and the Python SDK's 1.x API do not percent-decode header values, so they read a value the
 * binding encodes as its encoded form; the Python SDK's current API decodes as specified.
 */
function readBy(sdk: Sdk, attributes: Record<string, string>): Record<string, string> {
  if (sdk === 'python') return attributes;
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      name === 'datacontenttype' ? value : encodeLikeTheBinding(value),
    ]),
  );
}

/** The HTTP binding's percent-encoding: UTF-8 bytes of anything outside printable ASCII, '"', '%'. */
function encodeLikeTheBinding(value: string): string {
  return value.replace(/[^\x20-\x7e]|["%]/gu, (char) =>
    [...Buffer.from(char, 'utf8')]
      .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
}
