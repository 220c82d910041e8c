import { createHook } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { ConfigError, migrateService, startHandler, type RunningHandler } from '@eventline/kit';
import { createPool, type Pool } from '@eventline/store';
import {
  createTestDatabase,
  eventually,
  testServerEnv,
  type TestDatabase,
} from '@eventline/testing';
import { RecordingSubscriber } from '../support/recording-subscriber';
import { binaryHeaders } from '../support/cloudevents';
import { counterService } from './counter-service';

const servers = testServerEnv();

describe('service kit handler against real Postgres', () => {
  let database: TestDatabase;
  let pool: Pool;
  let sink: RecordingSubscriber;
  let handler: RunningHandler;

  const env = () => ({
    DATABASE_URL: database.url,
    REDIS_URL: servers.redisUrl,
    K_SINK: sink.url,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    EVENTLINE_BODY_LIMIT: '64kb',
  });

  const send = (data: unknown, headers: Record<string, string> = {}) =>
    fetch(`${handler.url}/`, {
      method: 'POST',
      headers: { ...binaryHeaders('test.counter.increment'), ...headers },
      body: JSON.stringify(data),
    });

  const total = async (counter: string) =>
    (
      await pool.query<{ total: number }>('SELECT total FROM counters.totals WHERE counter = $1', [
        counter,
      ])
    ).rows[0]?.total;

  beforeAll(async () => {
    database = await createTestDatabase(servers.databaseUrl, 'kit');
    pool = createPool(database.url, { max: 4 });
    await migrateService(counterService, pool);
    sink = await new RecordingSubscriber(() => ({ status: 202 })).start();
    handler = await startHandler(counterService, 'counter', { env: env() });
  });

  afterAll(async () => {
    await handler?.close();
    await pool?.end();
    await sink?.stop();
    await database?.drop();
  });

  it('given a valid event, when delivered, then state changes and the reply is a CloudEvent (200)', async () => {
    const response = await send(
      { counter: 'a', by: 2 },
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('ce-type')).toBe('test.counter.incremented');
    expect(response.headers.get('ce-source')).toBe('/eventline/counter/counter');
    expect(await response.json()).toEqual({ counter: 'a', total: 2 });
    expect(await total('a')).toBe(2);
  });

  it('given an event naming the version the handler accepts, when delivered, then it is handled and the reply names the version it is of', async () => {
    const response = await send(
      { counter: 'versioned', by: 1 },
      { 'ce-dataschema': 'https://eventline.dev/schemas/test.counter.increment/v1.json' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('ce-dataschema')).toBe(
      'https://eventline.dev/schemas/test.counter.incremented/v1.json',
    );
  });

  it('given an event delivered twice, when redelivered, then one state change and the same reply', async () => {
    const id = randomUUID();
    const first = await send({ counter: 'dup', by: 5 }, { 'ce-id': id });
    const second = await send({ counter: 'dup', by: 5 }, { 'ce-id': id });
    expect(second.status).toBe(200);
    expect(second.headers.get('ce-id')).toBe(first.headers.get('ce-id'));
    expect(await second.json()).toEqual(await first.json());
    expect(await total('dup')).toBe(5);
  });

  it('given one id from two sources, when both are delivered, then they are two events', async () => {
    const id = randomUUID();
    await send({ counter: 'sources', by: 1 }, { 'ce-id': id, 'ce-source': '/one' });
    await send({ counter: 'sources', by: 1 }, { 'ce-id': id, 'ce-source': '/two' });
    expect(await total('sources')).toBe(2);
  });

  it('given 20 concurrent deliveries of one event, when they race, then exactly one applies and all get its reply', async () => {
    const id = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        send({ counter: 'race', by: 1, slowMs: 20 }, { 'ce-id': id }),
      ),
    );
    const replyIds = new Set(responses.map((r) => r.headers.get('ce-id')));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(replyIds.size).toBe(1);
    expect(await total('race')).toBe(1);
  });

  it('given 50 concurrent distinct events on one counter, when they race, then none is lost', async () => {
    await Promise.all(Array.from({ length: 50 }, () => send({ counter: 'many', by: 1 })));
    expect(await total('many')).toBe(50);
  });

  it.each([
    ['malformed JSON data', { body: '{nope' }, 400, 'malformed JSON data'],
    ['a missing required attribute', { headers: { 'ce-source': '' } }, 400, 'source'],
    [
      'a wrong specversion',
      { headers: { 'ce-specversion': '0.3' } },
      400,
      'specversion must be "1.0"',
    ],
    [
      'a wrong type',
      { headers: { 'ce-type': 'test.other' } },
      400,
      'counter accepts test.counter.increment, not test.other',
    ],
    ['a schema violation', { data: { counter: 'x', by: 0 } }, 400, 'data.by must be >= 1'],
    [
      'an unexpected property',
      { data: { counter: 'x', by: 1, extra: true } },
      400,
      'unexpected property "extra"',
    ],
    [
      'a dataschema naming a version the handler does not accept',
      {
        headers: {
          'ce-dataschema': 'https://eventline.dev/schemas/test.counter.increment/v2.json',
        },
      },
      400,
      'dataschema https://eventline.dev/schemas/test.counter.increment/v2.json is not one this handler accepts (https://eventline.dev/schemas/test.counter.increment/v1.json)',
    ],
    [
      'an oversized body',
      { data: { counter: 'x'.repeat(70_000), by: 1 } },
      413,
      'larger than 64kb',
    ],
  ])(
    'given %s, when delivered, then %p with the reason and nothing stored',
    async (_case, input, status, reason) => {
      const { body, headers, data } = input as {
        body?: string;
        headers?: Record<string, string>;
        data?: unknown;
      };
      const response = await fetch(`${handler.url}/`, {
        method: 'POST',
        headers: { ...binaryHeaders('test.counter.increment'), ...headers },
        body: body ?? JSON.stringify(data ?? { counter: 'bad', by: 1 }),
      });
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: string }).error).toContain(reason);
      expect(await total('bad')).toBeUndefined();
    },
  );

  it.each([
    ['bad-input', 400, 'counter refuses this'],
    ['conflict', 409, 'try again'],
    ['transient', 503, 'dependency away'],
    ['crash', 500, 'internal error'],
  ])(
    'given the decision fails with %s, when delivered, then %p (Knative retry rules) and nothing is recorded',
    async (fail, status, reason) => {
      const id = randomUUID();
      const response = await send({ counter: `fail-${fail}`, by: 1, fail }, { 'ce-id': id });
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: string }).error).toBe(reason);
      const recorded = await pool.query('SELECT 1 FROM eventline.processed_events WHERE id = $1', [
        id,
      ]);
      expect(recorded.rowCount).toBe(0);
    },
  );

  it('given a change that fails after deciding to emit, when rolled back, then nothing is emitted and a retry applies once', async () => {
    const id = randomUUID();
    const failed = await send({ counter: 'rollback', by: 3, fail: 'after-emit' }, { 'ce-id': id });
    expect(failed.status).toBe(500);
    expect(await total('rollback')).toBeUndefined();
    expect(
      (
        await pool.query(
          `SELECT 1 FROM eventline.outbox WHERE event->'data'->>'counter' = 'rollback'`,
        )
      ).rowCount,
    ).toBe(0);
    const retried = await send({ counter: 'rollback', by: 3 }, { 'ce-id': id });
    expect(retried.status).toBe(200);
    expect(await total('rollback')).toBe(3);
  });

  it('given a committed change, when the outbox relays, then its event reaches K_SINK once with the correlation and trace', async () => {
    const response = await send(
      { counter: 'emit', by: 1 },
      {
        'ce-correlationid': 'flow-42',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
    );
    const replyId = response.headers.get('ce-id');
    const emitted = await eventually(async () =>
      sink.received.find((r) => JSON.parse(r.body).counter === 'emit'),
    );
    expect(emitted.headers['ce-type']).toBe('test.counter.incremented');
    expect(emitted.headers['ce-correlationid']).toBe('flow-42');
    expect(String(emitted.headers['ce-traceparent'])).toMatch(
      /^00-4bf92f3577b34da6a3ce929d0e0e4736-/,
    );
    expect(emitted.headers['ce-id']).not.toBe(replyId);
    await eventually(async () =>
      (await pool.query('SELECT 1 FROM eventline.outbox')).rowCount === 0 ? true : undefined,
    );
  });

  it('given K_SINK is down, when events are committed, then they wait in the outbox and go out when it is back', async () => {
    sink.respondWith(() => ({ status: 503 }));
    await send({ counter: 'sink-down', by: 1 });
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(
      (
        await pool.query(
          `SELECT 1 FROM eventline.outbox WHERE event->'data'->>'counter' = 'sink-down'`,
        )
      ).rowCount,
    ).toBe(1);
    sink.respondWith(() => ({ status: 202 }));
    await eventually(async () => {
      const relayed = sink.received.some((r) => r.body.includes('sink-down'));
      const pending = (await pool.query('SELECT 1 FROM eventline.outbox')).rowCount;
      return relayed && pending === 0 ? true : undefined;
    });
  });

  it('given K_SINK answers slower than the sweep grace, when a change commits, then its event is sent once', async () => {
    const slow = (r: { body: string }) => JSON.parse(r.body).counter === 'slow-sink';
    // the sweep runs every 0.5 s and takes rows older than 2 s; this answer takes 3 s
    sink.respondWith((request) => ({ status: 202, delayMs: slow(request) ? 3_000 : 0 }));
    try {
      await send({ counter: 'slow-sink', by: 1 });
      await eventually(async () =>
        (await pool.query('SELECT 1 FROM eventline.outbox')).rowCount === 0 ? true : undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(sink.received.filter(slow)).toHaveLength(1);
    } finally {
      sink.respondWith(() => ({ status: 202 }));
    }
  });

  it('given K_SINK refuses a send, when later changes of the same key commit, then none overtakes it', async () => {
    const ordered = (r: { body: string }) => JSON.parse(r.body).counter === 'in-order';
    let refused = false;
    sink.respondWith((request) => {
      if (!ordered(request) || refused) return { status: 202 };
      refused = true;
      return { status: 503 };
    });
    for (let i = 0; i < 3; i += 1) await send({ counter: 'in-order', by: 1 });
    const delivered = await eventually(async () => {
      const totals = sink.received.filter(ordered).map((r) => JSON.parse(r.body).total as number);
      return new Set(totals).size === 3 ? totals : undefined;
    });
    // The refused first attempt, then every total in commit order (a resend may repeat one).
    const accepted = delivered.slice(1).filter((total, i, all) => all.indexOf(total) === i);
    expect(accepted).toEqual([1, 2, 3]);
    sink.respondWith(() => ({ status: 202 }));
  });

  it('given an edge command, when it commits, then its event is relayed to K_SINK', async () => {
    const edge = await startHandler(counterService, 'counter-edge', { env: env() });
    try {
      const response = await fetch(`${edge.url}/counters/edge-1/reset`, { method: 'POST' });
      expect(response.status).toBe(202);
      const emitted = await eventually(async () =>
        sink.received.find((r) => r.body.includes('edge-1')),
      );
      expect(emitted.headers['ce-correlationid']).toBe(emitted.headers['ce-id']);
    } finally {
      await edge.close();
    }
  });

  it('given a handler draining on shutdown, when a request is in flight, then it finishes, new ones are refused and the drain deadline is disarmed', async () => {
    // Node lists no timers publicly: the deadline is recognised by its duration, and `_destroyed`
    // tells whether it was cleared (a timer left armed holds the process open until it fires).
    const drainMs = 54_321;
    const deadlines: Array<{ _destroyed: boolean }> = [];
    const hook = createHook({
      init(_id, type, _trigger, resource: { _idleTimeout?: number; _destroyed: boolean }) {
        if (type === 'Timeout' && resource._idleTimeout === drainMs) deadlines.push(resource);
      },
    }).enable();
    const draining = await startHandler(counterService, 'counter', {
      env: { ...env(), EVENTLINE_DRAIN_TIMEOUT_MS: String(drainMs) },
    });
    const inFlight = fetch(`${draining.url}/`, {
      method: 'POST',
      headers: binaryHeaders('test.counter.increment'),
      body: JSON.stringify({ counter: 'drain', by: 1, slowMs: 300 }),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = draining.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(fetch(`${draining.url}/healthz`)).rejects.toThrow();
    expect((await inFlight).status).toBe(200);
    await closing;
    hook.disable();
    expect(await total('drain')).toBe(1);
    expect(deadlines).toHaveLength(1);
    expect(deadlines[0]?._destroyed).toBe(true);
  });

  it('given a handler, when closed twice at once (Ctrl-C reaches it as SIGINT while its parent sends SIGTERM), then both closes resolve', async () => {
    const twice = await startHandler(counterService, 'counter', { env: env() });

    const closes = Promise.all([twice.close(), twice.close()]);

    await expect(closes).resolves.toEqual([undefined, undefined]);
    await expect(twice.close()).resolves.toBeUndefined();
  });

  it('given bad configuration, when starting, then the error names the variable', async () => {
    await expect(
      startHandler(counterService, 'counter', { env: { ...env(), DATABASE_URL: 'mysql://x' } }),
    ).rejects.toThrow(/DATABASE_URL: must be a URL/);
    await expect(
      startHandler(counterService, 'counter', { env: { ...env(), K_SINK: '' } }),
    ).rejects.toThrow(ConfigError);
    await expect(startHandler(counterService, 'nope', { env: env() })).rejects.toThrow(
      /EVENTLINE_HANDLER: "nope"/,
    );
    await expect(
      startHandler(counterService, 'counter', { env: { ...env(), PORT: 'eighty' } }),
    ).rejects.toThrow(/PORT/);
  });
});
