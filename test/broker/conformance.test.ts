import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import {
  KafkaEventLog,
  LocalBroker,
  MemoryEventLog,
  kafkaNames,
  type EventLog,
  type TriggerSpec,
} from '@eventline/broker';
import { eventFromHttp } from '@eventline/cloudevents-http';
import { createLogger } from '@eventline/telemetry';
import { eventually, testServerEnv, uniqueName } from '@eventline/testing';
import {
  RecordingSubscriber,
  type Answer,
  type ReceivedRequest,
} from '../support/recording-subscriber';
import { binaryHeaders, postBinary, postStructured } from '../support/cloudevents';
import { RefusingEventLog } from '../support/refusing-event-log';
import { unicodeRule } from './unicode-attributes';

const logger = createLogger('conformance', 'silent');
const servers = testServerEnv();

type Backend = { kind: string; eventLog: (namespace: string) => EventLog };
const backends: Backend[] = [
  { kind: 'memory', eventLog: () => new MemoryEventLog(logger, 4) },
  {
    kind: 'kafka',
    eventLog: (namespace) =>
      new KafkaEventLog({
        brokers: servers.kafkaBrokers.split(','),
        topic: kafkaNames.topic(namespace, 'default'),
        partitions: 4,
        log: logger,
      }),
  },
];

interface World {
  ingress: string;
  broker: LocalBroker;
  /** the broker's log, reachable as a producer that skips the ingress would reach it */
  eventLog: RefusingEventLog;
  /** adds a trigger for a fresh event type and returns that type with its subscriber */
  trigger(
    answer?: (index: number, request: ReceivedRequest) => Answer,
    spec?: (
      type: string,
    ) => Partial<Omit<TriggerSpec, 'delivery'>> & { delivery?: Partial<TriggerSpec['delivery']> },
  ): Promise<{
    type: string;
    subscriber: RecordingSubscriber;
    name: string;
    deadLetters: RecordingSubscriber;
  }>;
}

interface Rule {
  rule: string;
  check(world: World): Promise<void>;
}

const FAST_RETRY = { retry: 2, backoffPolicy: 'linear' as const, backoffDelay: 'PT0.01S' };

async function expectRefusal(response: Response, status: number, reason: string): Promise<void> {
  expect({
    status: response.status,
    error: ((await response.json()) as { error: string }).error,
  }).toEqual({ status, error: expect.stringContaining(reason) });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const errorData = (request: ReceivedRequest) =>
  Buffer.from(String(request.headers['ce-knativeerrordata']), 'base64').toString();

const rules: Rule[] = [
  {
    rule: 'an event with attributes no header can carry (from a producer that skipped the ingress) is retried, then dead-lettered without them, naming each in knativeerrordata',
    async check({ eventLog, trigger }) {
      const { type, subscriber, deadLetters } = await trigger(undefined, () => ({
        delivery: FAST_RETRY,
      }));
      await eventLog.append({
        attributes: {
          specversion: '1.0',
          id: 'unwritable-1',
          source: '/tests',
          type,
          'bad name': 'x',
          subject: 'line\nbreak',
        },
        body: Buffer.from('{"keep":"me"}'),
      });
      const letter = await eventually(async () => deadLetters.received[0]);
      expect(subscriber.received).toHaveLength(0);
      expect(letter.headers['ce-id']).toBe('unwritable-1');
      expect(letter.headers['ce-subject']).toBeUndefined();
      expect(letter.headers['ce-knativeerrordest']).toBe(subscriber.url);
      expect(letter.headers['ce-knativeerrorcode']).toBeUndefined();
      expect(errorData(letter)).toMatch(
        /"bad name" cannot be written.*"subject" cannot be written/,
      );
      expect(JSON.parse(letter.body)).toEqual({ keep: 'me' });
    },
  },
  {
    rule: 'a 2xx whose non-empty body is not a CloudEvent is a failed delivery: retried, then dead-lettered; an empty 200 is a delivery',
    async check({ ingress, trigger }) {
      const junk = await trigger(
        () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":1}' }),
        () => ({ delivery: FAST_RETRY }),
      );
      const empty = await trigger(
        () => ({ status: 200 }),
        () => ({ delivery: FAST_RETRY }),
      );
      await postBinary(ingress, junk.type, {}, { 'ce-id': 'junk-reply' });
      await postBinary(ingress, empty.type, {}, { 'ce-id': 'empty-reply' });
      const letter = await eventually(async () => junk.deadLetters.received[0]);
      expect(junk.subscriber.received).toHaveLength(1 + FAST_RETRY.retry);
      expect(letter.headers['ce-id']).toBe('junk-reply');
      expect(letter.headers['ce-knativeerrorcode']).toBe('200');
      expect(errorData(letter)).toContain('not a CloudEvent');
      await eventually(async () => empty.subscriber.received[0]);
      await sleep(200);
      expect([empty.subscriber.received.length, empty.deadLetters.received.length]).toEqual([1, 0]);
    },
  },
  {
    rule: 'an event the dead-letter sink refuses is not dropped: it stays uncommitted and is delivered again until the sink takes it',
    async check({ ingress, trigger }) {
      const { type, subscriber, deadLetters } = await trigger(() => ({ status: 400 }));
      deadLetters.respondWith((_request, index) => ({ status: index < 2 ? 500 : 202 }));
      await postBinary(ingress, type, {}, { 'ce-id': 'sink-later' });
      await eventually(async () => deadLetters.received[2]);
      await sleep(1_500);
      expect(deadLetters.ids()).toEqual(['sink-later', 'sink-later', 'sink-later']);
      // each time the whole dispatch again, as a redelivered Kafka record is
      expect(subscriber.ids()).toEqual(['sink-later', 'sink-later', 'sink-later']);
    },
  },
  {
    rule: 'a reply the log cannot append fails the dispatch: the event is delivered again, and every reply arrives exactly once',
    async check({ ingress, trigger, eventLog }) {
      const replies = await trigger();
      const { type, subscriber } = await trigger((_index, request) => ({
        status: 200,
        headers: {
          'ce-specversion': '1.0',
          'ce-id': `reply-${String(request.headers['ce-id'])}`,
          'ce-source': '/replier',
          'ce-type': replies.type,
          'content-type': 'application/json',
        },
        body: '{}',
      }));
      eventLog.refuseUntil(
        Date.now() + 2_000,
        (message) => message.attributes.type === replies.type,
      );
      const ids = Array.from({ length: 10 }, (_, i) => `refused-${i}`);
      for (const id of ids)
        expect((await postBinary(ingress, type, {}, { 'ce-id': id })).status).toBe(202);
      await eventually(async () => replies.subscriber.received.length >= ids.length || undefined);
      await sleep(1_000);
      expect(replies.subscriber.ids().sort()).toEqual(ids.map((id) => `reply-${id}`).sort());
      expect(subscriber.received.length).toBeGreaterThan(ids.length);
    },
  },
  {
    rule: 'ingress treats data as opaque bytes: data that does not parse as its content type is accepted and forwarded byte for byte',
    async check({ ingress, trigger }) {
      const { type, subscriber } = await trigger();
      const response = await fetch(ingress, {
        method: 'POST',
        headers: binaryHeaders(type, { 'ce-id': 'opaque' }),
        body: '{oops',
      });
      expect(response.status).toBe(202);
      expect((await eventually(async () => subscriber.received[0])).body).toBe('{oops');
    },
  },
  {
    rule: 'ingress refuses an attribute that is not a CloudEvents String (control characters, noncharacters, lone surrogates) with 400 naming it',
    async check({ ingress }) {
      const base = { specversion: '1.0', id: 'x', source: '/s', type: 't' };
      const refused: Array<[Promise<Response>, string]> = [
        [postStructured(ingress, { ...base, subject: 'a\u0007' }), 'subject has U+0007'],
        [postStructured(ingress, { ...base, region: '\ufffe' }), 'region has U+FFFE'],
        [postStructured(ingress, { ...base, id: 'x\udead' }), 'id has a surrogate not in a pair'],
        [postBinary(ingress, 't', {}, { 'ce-region': 'a%0Db' }), 'region has U+000D'],
      ];
      for (const [response, reason] of refused) await expectRefusal(await response, 400, reason);
    },
  },
  unicodeRule,
  {
    rule: 'ingress answers 202 to a binary-mode event and the subscriber receives it in binary mode',
    async check({ ingress, trigger }) {
      const { type, subscriber } = await trigger();
      const response = await postBinary(
        ingress,
        type,
        { n: 1 },
        { 'ce-subject': 'abc', 'ce-myext': 'v' },
      );
      expect(response.status).toBe(202);
      const request = await eventually(async () => subscriber.received[0]);
      expect(request.headers['ce-type']).toBe(type);
      expect(request.headers['ce-subject']).toBe('abc');
      expect(request.headers['ce-myext']).toBe('v');
      expect(request.headers['content-type']).toContain('application/json');
      expect(JSON.parse(request.body)).toEqual({ n: 1 });
    },
  },
  {
    rule: 'ingress accepts a structured-mode event; dispatch is still binary mode',
    async check({ ingress, trigger }) {
      const { type, subscriber } = await trigger();
      const response = await postStructured(ingress, {
        specversion: '1.0',
        id: 's-1',
        source: '/tests',
        type,
        datacontenttype: 'application/json',
        data: { s: true },
      });
      expect(response.status).toBe(202);
      const request = await eventually(async () => subscriber.received[0]);
      expect(request.headers['ce-id']).toBe('s-1');
      expect(JSON.parse(request.body)).toEqual({ s: true });
    },
  },
  {
    rule: 'filter.attributes is an exact AND match over attributes and extensions',
    async check({ ingress, trigger }) {
      const { type, subscriber } = await trigger(undefined, (t) => ({
        filter: { attributes: { type: t, region: 'eu' } },
      }));
      await postBinary(ingress, type, {}, { 'ce-region': 'us', 'ce-id': 'wrong-region' });
      await postBinary(ingress, 'other.type', {}, { 'ce-region': 'eu', 'ce-id': 'wrong-type' });
      await postBinary(ingress, type, {}, { 'ce-region': 'eu', 'ce-id': 'match' });
      await eventually(async () => subscriber.received[0]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(subscriber.ids()).toEqual(['match']);
    },
  },
  {
    rule: 'filters dialect: prefix, suffix, all, any and not',
    async check({ ingress, trigger }) {
      const { type, subscriber } = await trigger(undefined, (t) => ({
        filter: {
          filters: [
            {
              all: [
                { prefix: { type: t.slice(0, -3) } },
                { suffix: { source: '/tests' } },
                { any: [{ exact: { tier: 'gold' } }, { exact: { tier: 'silver' } }] },
                { not: { exact: { blocked: 'yes' } } },
              ],
            },
          ],
        },
      }));
      const send = (id: string, extra: Record<string, string>) =>
        postBinary(ingress, type, {}, { 'ce-id': id, ...extra });
      await send('gold', { 'ce-tier': 'gold' });
      await send('silver', { 'ce-tier': 'silver' });
      await send('bronze', { 'ce-tier': 'bronze' });
      await send('blocked', { 'ce-tier': 'gold', 'ce-blocked': 'yes' });
      await send('wrong-source', { 'ce-tier': 'gold', 'ce-source': '/elsewhere' });
      await eventually(async () => (subscriber.received.length >= 2 ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(subscriber.ids().sort()).toEqual(['gold', 'silver']);
    },
  },
  {
    rule: 'a 200 response carrying a CloudEvent is a reply and re-enters the broker',
    async check({ ingress, trigger }) {
      const replies = await trigger();
      const { type } = await trigger(() => ({
        status: 200,
        headers: {
          'ce-specversion': '1.0',
          'ce-id': 'reply-1',
          'ce-source': '/replier',
          'ce-type': replies.type,
          'content-type': 'application/json',
        },
        body: '{"replied":true}',
      }));
      await postBinary(ingress, type, {});
      const reply = await eventually(async () => replies.subscriber.received[0]);
      expect(reply.headers['ce-id']).toBe('reply-1');
      expect(JSON.parse(reply.body)).toEqual({ replied: true });
    },
  },
  {
    rule: 'attributes beyond ASCII travel percent-encoded in binary mode and read back as sent',
    async check({ ingress, trigger }) {
      const { type, subscriber } = await trigger();
      const subject = 'caf\u00e9 \u2713 "100%" \u{1F680}';
      const response = await postStructured(ingress, {
        specversion: '1.0',
        id: 'unicode-1',
        source: '/tests/\u00fcnic\u00f6de',
        type,
        subject,
        region: 'z\u00fcrich',
        data: { ok: true },
      });
      expect(response.status).toBe(202);
      const delivered = await eventually(async () => subscriber.received[0]);
      expect(delivered.headers['ce-subject']).toBe('caf%C3%A9 %E2%9C%93 %22100%25%22 %F0%9F%9A%80');
      const event = eventFromHttp(delivered.headers, delivered.body);
      expect([event.subject, event.source, event.region]).toEqual([
        subject,
        '/tests/\u00fcnic\u00f6de',
        'z\u00fcrich',
      ]);
    },
  },
  {
    rule: 'a 503 with Retry-After is retried no sooner than it asks',
    async check({ ingress, trigger }) {
      const { type, subscriber, deadLetters } = await trigger(
        (index) =>
          index === 0 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 202 },
        () => ({ delivery: FAST_RETRY }),
      );
      await postBinary(ingress, type, {}, { 'ce-id': 'come-back' });
      await eventually(async () => subscriber.received[1]);
      const [first, second] = subscriber.received;
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
      expect(deadLetters.received).toHaveLength(0);
    },
  },
  {
    rule: 'a 202 response is never a reply, even carrying a CloudEvent',
    async check({ ingress, trigger }) {
      const replies = await trigger();
      const { type, subscriber } = await trigger(() => ({
        status: 202,
        headers: {
          'ce-specversion': '1.0',
          'ce-id': 'not-a-reply',
          'ce-source': '/replier',
          'ce-type': replies.type,
          'content-type': 'application/json',
        },
        body: '{"replied":true}',
      }));
      await postBinary(ingress, type, {});
      await eventually(async () => subscriber.received[0]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(replies.subscriber.received).toHaveLength(0);
    },
  },
  {
    rule: '202 and empty 2xx responses end delivery without retries',
    async check({ ingress, trigger }) {
      const accepted = await trigger(
        () => ({ status: 202 }),
        () => ({ delivery: FAST_RETRY }),
      );
      const empty = await trigger(
        () => ({ status: 204 }),
        () => ({ delivery: FAST_RETRY }),
      );
      await postBinary(ingress, accepted.type, {});
      await postBinary(ingress, empty.type, {});
      await eventually(async () =>
        accepted.subscriber.received.length && empty.subscriber.received.length ? true : undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect([accepted.subscriber.received.length, empty.subscriber.received.length]).toEqual([
        1, 1,
      ]);
      expect(accepted.deadLetters.received).toHaveLength(0);
    },
  },
  ...[404, 408, 409, 429, 500, 503].map((status) => ({
    rule: `${status} is retried \`retry\` times, then dead-lettered with knativeerrordest, knativeerrorcode and knativeerrordata`,
    async check({ ingress, trigger }: World) {
      const { type, subscriber, deadLetters } = await trigger(
        () => ({ status, body: `failure ${status}` }),
        () => ({ delivery: FAST_RETRY }),
      );
      await postBinary(ingress, type, { keep: 'me' }, { 'ce-id': `retry-${status}` });
      const letter = await eventually(async () => deadLetters.received[0]);
      expect(subscriber.received).toHaveLength(1 + FAST_RETRY.retry);
      expect(letter.headers['ce-id']).toBe(`retry-${status}`);
      expect(letter.headers['ce-knativeerrordest']).toBe(subscriber.url);
      expect(letter.headers['ce-knativeerrorcode']).toBe(String(status));
      expect(Buffer.from(String(letter.headers['ce-knativeerrordata']), 'base64').toString()).toBe(
        `failure ${status}`,
      );
      expect(JSON.parse(letter.body)).toEqual({ keep: 'me' });
    },
  })),
  ...[400, 401, 403, 413].map((status) => ({
    rule: `${status} is not retried: the event goes straight to the dead-letter sink`,
    async check({ ingress, trigger }: World) {
      const { type, subscriber, deadLetters } = await trigger(
        () => ({ status }),
        () => ({ delivery: { ...FAST_RETRY, retry: 5 } }),
      );
      await postBinary(ingress, type, {});
      const letter = await eventually(async () => deadLetters.received[0]);
      expect(subscriber.received).toHaveLength(1);
      expect(letter.headers['ce-knativeerrorcode']).toBe(String(status));
    },
  })),
  {
    rule: 'a subscriber that never answers is retried, then dead-lettered without an error code',
    async check({ ingress, trigger }) {
      // The timeout leaves room for connecting on a loaded machine: an attempt aborted before it
      // reaches the subscriber would not be seen by it.
      const { type, subscriber, deadLetters } = await trigger(
        () => ({ status: 200, delayMs: 2_000 }),
        () => ({
          delivery: { ...FAST_RETRY, retry: 1, timeout: 'PT0.5S' },
        }),
      );
      await postBinary(ingress, type, {});
      const letter = await eventually(async () => deadLetters.received[0]);
      expect(subscriber.received).toHaveLength(2);
      expect(letter.headers['ce-knativeerrordest']).toBe(subscriber.url);
      expect(letter.headers['ce-knativeerrorcode']).toBeUndefined();
    },
  },
  ...(
    [
      ['linear', 'backoffDelay × n', 'PT0.1S', (n: number) => 100 * n],
      ['exponential', 'backoffDelay × 2^n', 'PT0.1S', (n: number) => 100 * 2 ** n],
    ] as const
  ).map(([policy, formula, backoffDelay, waitBefore]) => ({
    rule: `${policy} backoff waits ${formula} before retry n`,
    async check({ ingress, trigger }: World) {
      const { type, subscriber, deadLetters } = await trigger(
        () => ({ status: 503 }),
        () => ({ delivery: { retry: 3, backoffPolicy: policy, backoffDelay } }),
      );
      await postBinary(ingress, type, {});
      await eventually(async () => deadLetters.received[0]);
      const gaps = subscriber.received
        .slice(1)
        .map((r, i) => r.at - (subscriber.received[i]?.at ?? 0));
      expect(gaps).toHaveLength(3);
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(waitBefore(i + 1) - 15));
    },
  })),
  {
    rule: 'ordered delivery: one event at a time per partition key, in publish order',
    async check({ ingress, trigger }) {
      const { type, subscriber } = await trigger(
        () => ({ status: 202, delayMs: 15 }),
        () => ({ ordered: true }),
      );
      for (let i = 0; i < 12; i += 1)
        await postBinary(ingress, type, { i }, { 'ce-id': `o-${i}`, 'ce-partitionkey': 'one-key' });
      await eventually(async () => (subscriber.received.length === 12 ? true : undefined));
      expect(subscriber.ids()).toEqual(Array.from({ length: 12 }, (_, i) => `o-${i}`));
      expect(subscriber.maxConcurrent).toBe(1);
    },
  },
  {
    rule: 'unordered delivery runs events concurrently, bounded by the trigger in-flight limit',
    async check({ ingress, trigger }) {
      const { type, subscriber } = await trigger(
        () => ({ status: 202, delayMs: 60 }),
        () => ({ ordered: false, maxInFlight: 3 }),
      );
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          postBinary(ingress, type, { i }, { 'ce-partitionkey': 'same' }),
        ),
      );
      await eventually(async () => (subscriber.received.length === 12 ? true : undefined));
      expect(subscriber.maxConcurrent).toBeGreaterThan(1);
      expect(subscriber.maxConcurrent).toBeLessThanOrEqual(3);
    },
  },
  {
    rule: 'ingress refuses what is not a valid CloudEvent with 400 and the reason, and oversized bodies with 413',
    async check({ ingress }) {
      const jsonEventHeaders = {
        'ce-specversion': '1.0',
        'ce-id': '1',
        'ce-source': '/s',
        'ce-type': 't',
        'content-type': 'application/json',
      };
      const bad: Array<[RequestInit, number, string]> = [
        [
          { headers: { 'content-type': 'application/cloudevents+json' }, body: '{"specversion":' },
          400,
          'malformed JSON',
        ],
        [{ headers: { 'content-type': 'application/json' }, body: '{}' }, 400, 'not a CloudEvent'],
        [
          { headers: { 'ce-specversion': '1.0', 'ce-source': '/s', 'ce-type': 't' } },
          400,
          'missing required attribute "id"',
        ],
        [
          { headers: { 'ce-specversion': '0.3', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't' } },
          400,
          'specversion must be "1.0"',
        ],
        [
          {
            headers: jsonEventHeaders,
            body: JSON.stringify({ big: 'x'.repeat(1_100_000) }),
          },
          413,
          'larger than',
        ],
      ];
      for (const [init, status, reason] of bad) {
        await expectRefusal(await fetch(ingress, { method: 'POST', ...init }), status, reason);
      }
    },
  },
  {
    rule: 'ingress answers 405 to other methods and 404 off its path',
    async check({ ingress }) {
      const misdirected: Array<[string, RequestInit, number, string]> = [
        [ingress, { method: 'GET' }, 405, 'only POST'],
        [`${ingress}-other`, { method: 'POST', body: '{}' }, 404, 'no broker at'],
      ];
      for (const [url, init, status, reason] of misdirected) {
        await expectRefusal(await fetch(url, init), status, reason);
      }
      expect((await fetch(ingress, { method: 'DELETE' })).headers.get('allow')).toBe(
        'POST, OPTIONS',
      );
    },
  },
  {
    rule: 'ingress takes its path with a trailing slash too',
    async check({ ingress, trigger }) {
      const { type, subscriber } = await trigger();
      const response = await postBinary(`${ingress}/`, type, {}, { 'ce-id': 'slashed' });
      expect(response.status).toBe(202);
      expect((await eventually(async () => subscriber.received[0])).headers['ce-id']).toBe(
        'slashed',
      );
    },
  },
  {
    rule: 'ingress answers OPTIONS as a CloudEvents webhook: the origin allowed, POST allowed',
    async check({ ingress }) {
      const response = await fetch(ingress, {
        method: 'OPTIONS',
        headers: { 'WebHook-Request-Origin': 'eventemitter.example.com' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('webhook-allowed-origin')).toBe('eventemitter.example.com');
      expect(response.headers.get('allow')).toBe('POST');
      expect(response.headers.get('webhook-allowed-rate')).toBe('*');
    },
  },
];

describe.each(backends)('Knative broker conformance on the $kind backend', ({ eventLog }) => {
  const namespace = uniqueName('conformance');
  const subscribers: RecordingSubscriber[] = [];
  let broker: LocalBroker;
  let server: http.Server;
  let world: World;

  beforeAll(async () => {
    const log = new RefusingEventLog(eventLog(namespace));
    broker = new LocalBroker({ namespace, name: 'default', eventLog: log, logger });
    server = http.createServer(broker.ingress());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const ingress = `http://127.0.0.1:${(server.address() as AddressInfo).port}${broker.path}`;
    let triggers = 0;
    world = {
      ingress,
      broker,
      eventLog: log,
      async trigger(answer, specFor = () => ({})) {
        triggers += 1;
        const name = `t${triggers}`;
        const type = `dev.eventline.conformance.${namespace}.${name}`;
        const spec = specFor(type);
        const subscriber = await new RecordingSubscriber(
          answer ? (request, i) => answer(i, request) : undefined,
        ).start();
        const deadLetters = await new RecordingSubscriber().start();
        subscribers.push(subscriber, deadLetters);
        await broker.addTrigger({
          name,
          subscriber: subscriber.url,
          filter: spec.filter ?? { attributes: { type } },
          ordered: spec.ordered ?? false,
          maxInFlight: spec.maxInFlight,
          delivery: {
            retry: 0,
            backoffPolicy: 'linear',
            backoffDelay: 'PT0.01S',
            deadLetterSink: deadLetters.url,
            ...spec.delivery,
          },
        });
        return { type, subscriber, deadLetters, name };
      },
    };
  });

  afterAll(async () => {
    await broker?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await Promise.all(subscribers.map((s) => s.stop()));
  });

  it.each(rules)('$rule', async ({ check }) => {
    await check(world);
  });
});

describe('Kafka backend uses Knative Kafka broker names and record layout', () => {
  it('given a broker and a trigger, when an event with a partitionkey is published, then the topic, group, key and ce_ headers match Knative', async () => {
    const namespace = uniqueName('names');
    const topic = kafkaNames.topic(namespace, 'default');
    const broker = new LocalBroker({
      namespace,
      name: 'default',
      eventLog: new KafkaEventLog({
        brokers: servers.kafkaBrokers.split(','),
        topic,
        partitions: 2,
        log: logger,
      }),
      logger,
    });
    const subscriber = await new RecordingSubscriber().start();
    const kafka = new Kafka({
      brokers: servers.kafkaBrokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: uniqueName('inspect') });
    const admin = kafka.admin();
    try {
      await broker.addTrigger({
        name: 'inspect',
        subscriber: subscriber.url,
        filter: { attributes: { type: 'names.test' } },
        ordered: true,
        delivery: { retry: 0, backoffPolicy: 'linear', backoffDelay: 'PT0.01S' },
      });
      await broker.publish(
        new (await import('@eventline/cloudevents-http')).CloudEvent({
          id: 'k-1',
          source: '/t',
          type: 'names.test',
          partitionkey: 'order-7',
          data: { a: 1 },
        }),
      );
      await eventually(async () => subscriber.received[0]);

      await admin.connect();
      expect(await admin.listTopics()).toContain(`knative-broker-${namespace}-default`);
      // the trigger's progress is committed to its Knative-named group: its start on every
      // partition when it was added, then one record consumed
      const committed = await eventually(async () => {
        const [offsets] = await admin.fetchOffsets({
          groupId: `knative-trigger-${namespace}-inspect`,
          topics: [topic],
        });
        const partitions = offsets?.partitions ?? [];
        return partitions.some((p) => p.offset === '1') ? partitions : undefined;
      });
      expect(committed.map((p) => p.offset).sort()).toEqual(
        ['1', ...Array.from({ length: committed.length - 1 }, () => '0')].sort(),
      );

      const records: Array<{ key: string; headers: Record<string, string>; value: string }> = [];
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          records.push({
            key: String(message.key),
            value: String(message.value),
            headers: Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
            ),
          });
        },
      });
      const record = await eventually(async () => records[0]);
      expect(record.key).toBe('order-7');
      expect(record.headers).toMatchObject({
        ce_id: 'k-1',
        ce_type: 'names.test',
        ce_specversion: '1.0',
        ce_partitionkey: 'order-7',
      });
      expect(JSON.parse(record.value)).toEqual({ a: 1 });
    } finally {
      await consumer.disconnect();
      await admin.disconnect();
      await broker.close();
      await subscriber.stop();
    }
  });
});

describe('Kafka backend: one read of the topic for every trigger', () => {
  const kafkaLog = (namespace: string) =>
    new KafkaEventLog({
      brokers: servers.kafkaBrokers.split(','),
      topic: kafkaNames.topic(namespace, 'default'),
      partitions: 4,
      log: logger,
    });
  const startBroker = (namespace: string) =>
    new LocalBroker({ namespace, name: 'default', eventLog: kafkaLog(namespace), logger });
  const event = async (id: string, type: string) =>
    new (await import('@eventline/cloudevents-http')).CloudEvent({
      id,
      source: '/shared-read',
      type,
      partitionkey: `key-${Number(id.split('-')[1]) % 7}`,
      data: { id },
    });
  const idsOf = (subscriber: RecordingSubscriber) =>
    subscriber.received.map((request) => String(request.headers['ce-id'])).sort();
  const range = (prefix: string, from: number, to: number) =>
    Array.from({ length: to - from }, (_, index) => `${prefix}-${from + index}`).sort();
  const trigger = (name: string, url: string, extra: Partial<TriggerSpec> = {}): TriggerSpec => ({
    name,
    subscriber: url,
    filter: { attributes: { type: 'shared.read' } },
    ordered: false,
    delivery: { retry: 0, backoffPolicy: 'linear', backoffDelay: 'PT0.01S' },
    ...extra,
  });

  it('given a trigger that stops with a backlog, when it is slow, then another trigger is not held back, and the slow one still receives every event once', async () => {
    const namespace = uniqueName('slowread');
    const broker = startBroker(namespace);
    let releaseSlow = false;
    const slow = await new RecordingSubscriber(() => ({
      status: 202,
      delayMs: releaseSlow ? 0 : 300,
    })).start();
    const fast = await new RecordingSubscriber().start();
    try {
      // in flight 1: a backlog of 16 fills at once and the slow trigger has to read again later
      await broker.addTrigger(trigger('slow', slow.url, { maxInFlight: 1 }));
      await broker.addTrigger(trigger('fast', fast.url));
      const total = 120;
      for (let i = 0; i < total; i += 1) await broker.publish(await event(`e-${i}`, 'shared.read'));

      await eventually(async () => fast.received.length === total || undefined);
      expect(slow.received.length).toBeLessThan(total / 2);
      releaseSlow = true;
      await eventually(async () => slow.received.length >= total || undefined);
      expect(idsOf(slow)).toEqual(range('e', 0, total));
      expect(idsOf(fast)).toEqual(range('e', 0, total));
    } finally {
      await broker.close();
      await slow.stop();
      await fast.stop();
    }
  });

  it('given the only trigger with its backlog exactly full, when it drains, then the read resumes and later events arrive', async () => {
    const namespace = uniqueName('fullread');
    const broker = startBroker(namespace);
    const slow = await new RecordingSubscriber(() => ({ status: 202, delayMs: 300 })).start();
    try {
      // in flight 1: a backlog of 16, filled by exactly 16 events, none refused
      await broker.addTrigger(trigger('slow', slow.url, { maxInFlight: 1 }));
      for (let i = 0; i < 16; i += 1) await broker.publish(await event(`f-${i}`, 'shared.read'));
      await eventually(async () => slow.received.length >= 1 || undefined);
      for (let i = 16; i < 20; i += 1) await broker.publish(await event(`f-${i}`, 'shared.read'));

      await eventually(async () => slow.received.length >= 20 || undefined);
      expect(idsOf(slow)).toEqual(range('f', 0, 20));
    } finally {
      await broker.close();
      await slow.stop();
    }
  });

  it('given triggers with committed progress, when the broker restarts after events were published while it was down, then each trigger resumes where it stopped and a new trigger starts at the end', async () => {
    const namespace = uniqueName('resume');
    const first = await new RecordingSubscriber().start();
    const second = await new RecordingSubscriber().start();
    const late = await new RecordingSubscriber().start();
    let broker = startBroker(namespace);
    try {
      await broker.addTrigger(trigger('first', first.url));
      await broker.addTrigger(trigger('second', second.url));
      for (let i = 0; i < 10; i += 1) await broker.publish(await event(`a-${i}`, 'shared.read'));
      await eventually(
        async () => (first.received.length === 10 && second.received.length === 10) || undefined,
      );
      await broker.close();

      // while no broker runs, events reach the topic through another producer
      const producer = startBroker(namespace);
      for (let i = 10; i < 20; i += 1) await producer.publish(await event(`a-${i}`, 'shared.read'));
      await producer.close();

      broker = startBroker(namespace);
      await broker.addTrigger(trigger('first', first.url));
      await broker.addTrigger(trigger('late', late.url));
      await broker.addTrigger(trigger('second', second.url));
      await broker.publish(await event('a-20', 'shared.read'));

      await eventually(
        async () =>
          (first.received.length >= 21 &&
            second.received.length >= 21 &&
            late.received.length >= 1) ||
          undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(idsOf(first)).toEqual(range('a', 0, 21));
      expect(idsOf(second)).toEqual(range('a', 0, 21));
      expect(idsOf(late)).toEqual(['a-20']);
    } finally {
      await broker.close();
      await Promise.all([first.stop(), second.stop(), late.stop()]);
    }
  });
});

describe('Kafka backend: an event not done is not committed', () => {
  it('given the first event of new triggers, whose reply the log refuses, when the broker stops and another starts on the same topic, then the event is delivered again and its reply arrives once', async () => {
    const namespace = uniqueName('uncommitted');
    const kafkaLog = () =>
      new KafkaEventLog({
        brokers: servers.kafkaBrokers.split(','),
        topic: kafkaNames.topic(namespace, 'default'),
        partitions: 2,
        log: logger,
      });
    const { CloudEvent } = await import('@eventline/cloudevents-http');
    const replies = await new RecordingSubscriber().start();
    const replier = await new RecordingSubscriber((request) => ({
      status: 200,
      headers: {
        'ce-specversion': '1.0',
        'ce-id': `reply-${String(request.headers['ce-id'])}`,
        'ce-source': '/replier',
        'ce-type': 'uncommitted.reply',
        'content-type': 'application/json',
      },
      body: '{}',
    })).start();
    const addTriggers = async (broker: LocalBroker) => {
      for (const [name, url, type] of [
        ['replier', replier.url, 'uncommitted.request'],
        ['replies', replies.url, 'uncommitted.reply'],
      ] as const)
        await broker.addTrigger({
          name,
          subscriber: url,
          filter: { attributes: { type } },
          ordered: false,
          delivery: { retry: 0, backoffPolicy: 'linear', backoffDelay: 'PT0.1S' },
        });
    };
    const request = (id: string) =>
      new CloudEvent({ id, source: '/t', type: 'uncommitted.request', data: {} });
    const refusing = new RefusingEventLog(kafkaLog());
    refusing.refuseUntil(
      Number.POSITIVE_INFINITY,
      (message) => message.attributes.id === 'reply-refused',
    );
    let broker = new LocalBroker({ namespace, name: 'default', eventLog: refusing, logger });
    try {
      await addTriggers(broker);
      // the very first event of new triggers: the restart resumes from where they started, not
      // from the end of the topic as it is by then
      await broker.publish(request('refused'));
      await eventually(async () => refusing.refused >= 2 || undefined);
      await broker.close();

      broker = new LocalBroker({ namespace, name: 'default', eventLog: kafkaLog(), logger });
      await addTriggers(broker);
      await eventually(async () => replies.received[0]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(replies.ids()).toEqual(['reply-refused']);
      expect(replier.ids().filter((id) => id === 'refused').length).toBeGreaterThan(2);
    } finally {
      await broker.close();
      await Promise.all([replies.stop(), replier.stop()]);
    }
  });
});
