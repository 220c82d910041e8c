import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { loadRouting, triggers } from '@eventline/routing';
import {
  INJECTION_NAMES,
  asHeaderBytes,
  hostileString,
  injectedHeaderValue,
  jsonText,
  malformedJson,
  mutationOf,
  oversizedBody,
} from './arbitraries';
import {
  checkCase,
  orderCompletes,
  runParameters,
  startBadInputWorld,
  type BadCase,
  type BadInputWorld,
} from './bad-input-system';
import type { RawRequest } from './raw-http';
import type { Samples } from '../contracts/contracts';

/** An event a handler accepts, from which each case departs. */
interface Accepted {
  handler: string;
  type: string;
  dataschema?: string;
  data: unknown;
}

const now = new Date().toISOString();

/**
 * Data each handler's type really carries: the producers' recorded samples
 * (test/contracts/samples.json), and for the types no handler here produces, what their sources
 * send.
 */
function acceptedEvents(): Accepted[] {
  const samples = require('../contracts/samples.json') as Samples;
  const byType = new Map<string, { dataschema?: string; data: unknown }>();
  for (const produced of Object.values(samples))
    for (const [type, [sample]] of Object.entries(produced))
      if (sample && !byType.has(type)) byType.set(type, sample);
  byType.set('dev.knative.kafka.event', {
    data: { deviceId: 'd-1', metric: 'temperature', value: 21.5, at: now },
  });
  byType.set('dev.knative.sources.ping', { data: {} });
  const routing = loadRouting();
  return [
    ...triggers(routing).map((route) => {
      const sample = byType.get(route.type as string);
      if (!sample) throw new Error(`no sample of ${route.type}, which ${route.name} accepts`);
      return { handler: route.name, type: route.type as string, ...sample };
    }),
    // The dead-letter sink takes any event.
    { handler: 'dead-letters', type: 'dev.eventline.tests.bad-input', data: { n: 1 } },
  ];
}

const ATTRIBUTES = ['specversion', 'id', 'source', 'type'] as const;

function binary(accepted: Accepted, data: Buffer | string, extra: Array<[string, string]> = []) {
  const headers: Array<[string, string]> = [
    ['ce-specversion', '1.0'],
    // A fresh id per case: a case repeating one would be answered as the duplicate it is.
    ['ce-id', randomUUID()],
    ['ce-source', '/tests/bad-input'],
    ['ce-type', accepted.type],
    ['content-type', 'application/json'],
    ...(accepted.dataschema ? [['ce-dataschema', accepted.dataschema] as [string, string]] : []),
    ...extra,
  ];
  return {
    method: 'POST',
    target: '/',
    headers,
    body: Buffer.isBuffer(data) ? data : Buffer.from(data),
  } satisfies RawRequest;
}

function structured(accepted: Accepted, event: Record<string, unknown>): RawRequest {
  return {
    method: 'POST',
    target: '/',
    headers: [['content-type', 'application/cloudevents+json']],
    body: Buffer.from(jsonText(event)),
  };
}

/** What a refusal of changed data names: the field, or the data (a raw record's "record"). */
const dataNames = (fields: string[]) => [...fields, 'data', 'record'];

function casesOf(accepted: Accepted): fc.Arbitrary<BadCase> {
  const valid = () => binary(accepted, JSON.stringify(accepted.data));
  const event = {
    specversion: '1.0',
    id: 'structured',
    source: '/tests/bad-input',
    type: accepted.type,
    datacontenttype: 'application/json',
    ...(accepted.dataschema ? { dataschema: accepted.dataschema } : {}),
    data: accepted.data,
  };
  const withId = (e: unknown) =>
    typeof e === 'object' && e !== null && !Array.isArray(e) && 'id' in e
      ? { ...e, id: randomUUID() }
      : e;
  return fc.oneof(
    // the data: a field removed, of the wrong kind, one too many, malformed, not JSON
    mutationOf(accepted.data).map((m) => ({
      request: binary(accepted, jsonText(m.value)),
      names: dataNames(m.names),
      valid: valid(),
    })),
    mutationOf(accepted.data).map((m) => ({
      request: structured(accepted, { ...event, id: randomUUID(), data: m.value }),
      names: dataNames(m.names),
      valid: valid(),
    })),
    malformedJson(JSON.stringify(accepted.data)).map((body) => ({
      request: binary(accepted, body),
      names: ['json'],
      valid: valid(),
    })),
    fc.constantFrom('text/plain', 'application/octet-stream', 'application/xml').map((type) => ({
      request: {
        ...valid(),
        headers: [
          ...valid().headers.filter(([n]) => n !== 'content-type'),
          ['content-type', type],
        ] as Array<[string, string]>,
      },
      names: dataNames([]),
      valid: valid(),
    })),
    // the envelope: attributes missing or hostile, the wrong type or schema, mixed modes
    fc.constantFrom(...ATTRIBUTES).map((name) => ({
      request: {
        ...valid(),
        headers: valid().headers.filter(([n]) => n !== `ce-${name}`),
      },
      names: [name, 'ce-specversion'],
      valid: valid(),
    })),
    fc
      .record({
        name: fc.constantFrom(
          'id',
          'source',
          'type',
          'subject',
          'dataschema',
          'time',
          'traceparent',
        ),
        value: hostileString,
      })
      .map(({ name, value }) => ({
        request: {
          ...valid(),
          headers: [
            ...valid().headers.filter(([n]) => n !== `ce-${name}`),
            [`ce-${name}`, asHeaderBytes(value)],
          ] as Array<[string, string]>,
        },
        names: [name, 'accepts', 'percent'],
        valid: valid(),
      })),
    mutationOf(event).map((m) => ({
      request: structured(accepted, withId(m.value) as Record<string, unknown>),
      names: [...dataNames(m.names), 'attribute', 'JSON object', 'accepts'],
      valid: valid(),
    })),
    fc.constant({
      request: {
        ...structured(accepted, { ...event, id: randomUUID() }),
        headers: [
          ['content-type', 'application/cloudevents+json'],
          ...valid().headers.filter(([n]) => n.startsWith('ce-')),
        ] as Array<[string, string]>,
      },
      names: [],
      valid: valid(),
    }),
    fc
      .record({
        name: fc.constantFrom('ce-id', 'ce-type', 'ce-source', 'traceparent'),
        value: injectedHeaderValue,
      })
      .map(({ name, value }) => ({
        request: {
          ...valid(),
          headers: [...valid().headers, [name, value]] as Array<[string, string]>,
        },
        names: [...INJECTION_NAMES, name.replace(/^ce-/, ''), 'accepts', 'specversion'],
        valid: valid(),
      })),
    fc.constantFrom('ce-specversion', 'ce-type', 'ce-id').map((name) => ({
      request: {
        ...valid(),
        headers: [...valid().headers, [name, 'second']] as Array<[string, string]>,
      },
      names: [name.replace(/^ce-/, ''), 'accepts'],
      valid: valid(),
    })),
    // the request around it
    oversizedBody.map((body) => ({
      request: binary(accepted, body),
      names: ['larger'],
      valid: valid(),
    })),
    fc.constantFrom('GET', 'PUT', 'DELETE', 'CONNECT').map((method) => ({
      request: { ...valid(), method },
      names: ['method', 'route', 'no '],
      valid: valid(),
    })),
  );
}

describe("every handler's CloudEvent endpoint, given generated bad input", () => {
  let world: BadInputWorld;

  beforeAll(async () => {
    world = await startBadInputWorld();
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('answers each case with a 2xx or a 4xx naming the field or attribute, and an order still completes', async () => {
    const urls = world.system.handlerUrls;
    const cases = fc
      .constantFrom(...acceptedEvents())
      .chain((accepted) => casesOf(accepted).map((c) => ({ ...c, handler: accepted.handler })));
    await fc.assert(
      fc.asyncProperty(cases, (badCase) => checkCase(urls[badCase.handler] as string, badCase)),
      runParameters('CloudEvent endpoints'),
    );
    expect(await orderCompletes(world)).toBe('COMPLETED');
  }, 300_000);
});
