import fc from 'fast-check';
import {
  INJECTION_NAMES,
  asHeaderBytes,
  hostileKey,
  hostileString,
  injectedHeaderValue,
  jsonText,
  malformedJson,
  mutationOf,
} from './arbitraries';
import {
  checkCase,
  orderCompletes,
  runParameters,
  SENDER_TOKEN,
  startBadInputWorld,
  type BadCase,
  type BadInputWorld,
} from './bad-input-system';
import type { RawRequest } from './raw-http';

/** Every case is sent by a sender the broker allows any type, so what it answers is the input's. */
const AUTHORIZATION: [string, string] = ['authorization', `Bearer ${SENDER_TOKEN}`];

/** No trigger filters this type: what the ingress accepts goes into the log and no further. */
const EVENT = {
  specversion: '1.0',
  id: 'bad-input-1',
  source: '/tests/bad-input',
  type: 'dev.eventline.tests.bad-input',
  subject: 'case',
  time: '2026-01-01T00:00:00Z',
  datacontenttype: 'application/json',
  region: 'eu-west',
  data: { n: 1, text: 'ok' },
};

const ATTRIBUTES = ['specversion', 'id', 'source', 'type', 'subject', 'time', 'region'] as const;

function binary(path: string, headers: Array<[string, string]> = []): RawRequest {
  return {
    method: 'POST',
    target: path,
    headers: [
      ...ATTRIBUTES.map((name): [string, string] => [`ce-${name}`, String(EVENT[name])]),
      ['content-type', EVENT.datacontenttype],
      AUTHORIZATION,
      ...headers,
    ],
    body: Buffer.from(JSON.stringify(EVENT.data)),
  };
}

function structured(path: string, body: string | Buffer = JSON.stringify(EVENT)): RawRequest {
  return {
    method: 'POST',
    target: path,
    headers: [['content-type', 'application/cloudevents+json'], AUTHORIZATION],
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
  };
}

/** A string's UTF-8 percent-encoded, every byte, as the HTTP binding's ce- values may be. */
const percentEncoded = (value: string) =>
  [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

function casesOf(path: string): fc.Arbitrary<BadCase> {
  const valid = binary(path);
  const withoutHeader = (name: string) => valid.headers.filter(([n]) => n !== name);
  return fc.oneof(
    // binary mode: an attribute missing, spelled raw, percent-encoded, or refused by the parser
    fc.constantFrom(...ATTRIBUTES).map((name) => ({
      request: { ...valid, headers: withoutHeader(`ce-${name}`) },
      names: [name],
      valid,
    })),
    fc
      .record({
        name: fc.constantFrom(...ATTRIBUTES),
        value: hostileString,
        encoded: fc.boolean(),
      })
      .map(({ name, value, encoded }) => ({
        request: {
          ...valid,
          headers: [
            ...withoutHeader(`ce-${name}`),
            [`ce-${name}`, encoded ? percentEncoded(value) : asHeaderBytes(value)],
          ] as Array<[string, string]>,
        },
        names: [name, 'percent'],
        valid,
      })),
    fc
      .record({
        name: fc.oneof(
          fc.constantFrom(
            'ce-',
            'ce-Upper_Case',
            'ce-a.b',
            'ce-data',
            'ce-data_base64',
            'ce-ümlaut',
          ),
          hostileKey.map((key) => `ce-${asHeaderBytes(key)}`),
        ),
        value: fc.constantFrom('1', '%zz', '%C0%80', '%ED%A0%80', ''),
      })
      .map(({ name, value }) => ({
        request: {
          ...valid,
          headers: [...valid.headers, [name, value]] as Array<[string, string]>,
        },
        names: [name.slice(3), name, 'attribute', 'percent'],
        valid,
      })),
    fc
      .record({
        name: fc.constantFrom('ce-specversion', 'ce-id', 'ce-type', 'content-type', 'ce-time'),
        value: fc.constantFrom('0.3', '1.0', 'x', 'text/plain', '2026-13-45'),
      })
      .map(({ name, value }) => ({
        request: {
          ...valid,
          headers: [...valid.headers, [name, value]] as Array<[string, string]>,
        },
        names: [name.replace(/^ce-/, ''), 'datacontenttype'],
        valid,
      })),
    fc
      .record({
        name: fc.constantFrom('ce-id', 'ce-subject', 'content-type'),
        value: injectedHeaderValue,
      })
      .map(({ name, value }) => ({
        request: {
          ...valid,
          headers: [...valid.headers, [name, value]] as Array<[string, string]>,
        },
        names: [...INJECTION_NAMES, name.replace(/^ce-/, ''), 'datacontenttype', 'specversion'],
        valid,
      })),
    fc
      .constantFrom(
        'application/cloudevents-batch+json',
        'application/json; charset=utf-8\u0001',
        'not a media type',
        '',
        'text/plain',
        'application/cloudevents+json',
      )
      .map((type) => ({
        request: {
          ...valid,
          headers: [...withoutHeader('content-type'), ['content-type', type]] as Array<
            [string, string]
          >,
        },
        names: ['datacontenttype', 'content-type', 'missing required attribute'],
        valid,
      })),
    // structured mode: the event's JSON changed, malformed, mixed with binary-mode headers
    mutationOf(EVENT).map((m) => ({
      request: structured(path, jsonText(m.value)),
      names: [...m.names, 'JSON object', 'attribute'],
      valid,
    })),
    malformedJson(JSON.stringify(EVENT)).map((body) => ({
      request: structured(path, body),
      names: ['json'],
      valid,
    })),
    fc.constantFrom(...ATTRIBUTES).map((name) => {
      const { [name]: _dropped, ...event } = EVENT;
      const request = structured(path, JSON.stringify(event));
      return {
        request: { ...request, headers: [...request.headers, ...valid.headers.slice(0, 4)] },
        names: [name],
        valid,
      };
    }),
    fc.constantFrom('"!!"', '123', '{"nested": {"deep": [1, 2]}}').map((base64) => ({
      request: structured(
        path,
        JSON.stringify({ ...EVENT, data: undefined, data_base64: JSON.parse(base64) }),
      ),
      names: ['data_base64'],
      valid,
    })),
    // the request around the event
    fc.integer({ min: 1024 * 1024 + 1, max: 1024 * 1024 + 4096 }).map((n) => ({
      request: { ...valid, body: Buffer.alloc(n, 'x') },
      names: ['larger'],
      valid,
    })),
    fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'FOO').map((method) => ({
      request: { ...valid, method },
      names: ['POST', 'method'],
      valid,
    })),
    fc
      .constantFrom(
        `${path}/`,
        `${path}?x=1`,
        `${path}/extra`,
        `${path}%00`,
        '/',
        '//[',
        '*',
        `${path}#f`,
      )
      .map((target) => ({ request: { ...valid, target }, names: ['broker', 'ingress'], valid })),
    fc.boolean().map((chunked) => ({ request: { ...valid, chunked }, names: [], valid })),
  );
}

describe('the broker ingress, given generated bad input', () => {
  let world: BadInputWorld;

  beforeAll(async () => {
    world = await startBadInputWorld();
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('answers each case with a 202 or a 4xx naming the attribute or header, and an order still completes', async () => {
    const { origin, pathname } = new URL(world.system.brokerUrl);
    await fc.assert(
      fc.asyncProperty(casesOf(pathname), (badCase) => checkCase(origin, badCase)),
      runParameters('broker ingress'),
    );
    expect(await orderCompletes(world)).toBe('COMPLETED');
  }, 300_000);
});
