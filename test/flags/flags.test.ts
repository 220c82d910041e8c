import { loadRouting, type Routing } from '@eventline/routing';
import { startLocalSystem, type LocalSystem } from '@eventline/runtime';
import {
  createTestDatabase,
  eventually,
  testServerEnv,
  uniqueName,
  type TestDatabase,
} from '@eventline/testing';
import { testSenderEnv, asTestSender } from '../support/senders';

const servers = testServerEnv();

/** The whole system on the test servers, every handler its own process. */
function startFlagsSystem(
  database: TestDatabase,
  name: string,
  logLevel: string,
  routing?: Routing,
): Promise<LocalSystem> {
  return startLocalSystem({
    routing,
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: servers.redisUrl,
      REDIS_KEY_PREFIX: `${uniqueName(name)}:`,
      KAFKA_BROKERS: servers.kafkaBrokers,
      LOG_LEVEL: logLevel,
      ...testSenderEnv(['dev.eventline.flags.changed', 'dev.eventline.orders.placed']),
    },
    topology: 'processes',
    namespace: uniqueName(name),
    edgePort: 0,
  });
}

async function putFlag(system: LocalSystem, key: string, body: unknown): Promise<Response> {
  return fetch(`${system.edgeUrl}/flags/${key}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function flagState(
  system: LocalSystem,
  key: string,
): Promise<{ enabled: boolean; version: number } | undefined> {
  const response = await fetch(`${system.edgeUrl}/flags/${key}`);
  return response.status === 200
    ? ((await response.json()) as { enabled: boolean; version: number })
    : undefined;
}

describe('feature flags through the broker on real Kafka, Postgres and Redis, each handler its own process', () => {
  let database: TestDatabase;
  let system: LocalSystem;

  beforeAll(async () => {
    database = await createTestDatabase(servers.databaseUrl, 'flags');
    system = await startFlagsSystem(database, 'flags', 'warn');
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    await database?.drop();
  });

  it('given a flag set with PUT, when read with GET, then it is enabled', async () => {
    const response = await putFlag(system, 'checkout', { enabled: true });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ key: 'checkout', enabled: true });
    expect(await eventually(() => flagState(system, 'checkout'))).toMatchObject({ enabled: true });
  });

  it('given a cached flag, when it changes, then the cache is invalidated and GET shows the change', async () => {
    await putFlag(system, 'search', { enabled: true });
    await eventually(() => flagState(system, 'search'));
    await flagState(system, 'search');
    await putFlag(system, 'search', { enabled: false });
    expect(
      await eventually(async () =>
        (await flagState(system, 'search'))?.enabled === false ? true : undefined,
      ),
    ).toBe(true);
  });

  it('given many changes to one flag in a burst, when projected, then the last one wins', async () => {
    let last: { version: number } | undefined;
    for (let i = 0; i < 10; i += 1)
      last = (await (await putFlag(system, 'burst', { enabled: i % 2 === 0 })).json()) as {
        version: number;
      };
    const final = await eventually(async () => {
      const state = await flagState(system, 'burst');
      return state?.version === last?.version ? state : undefined;
    });
    expect(final.enabled).toBe(false);
  });

  it('given flags, when listed, then GET /flags returns them', async () => {
    await putFlag(system, 'listed', { enabled: true });
    const listed = await eventually(async () => {
      const body = (await (await fetch(`${system.edgeUrl}/flags`)).json()) as {
        flags: Array<{ key: string }>;
      };
      return body.flags.some((f) => f.key === 'listed') ? body.flags : undefined;
    });
    expect(listed.map((f) => f.key)).toEqual([...listed.map((f) => f.key)].sort());
  });

  it.each([
    ['a non-boolean', 'k', { enabled: 'yes' }, 'enabled must be a boolean'],
    ['a bad key', 'bad key!', { enabled: true }, 'flag key'],
    ['an array body', 'k', [true], 'body must be a JSON object'],
  ])('given %s, when PUT, then 400 with the reason', async (_case, key, body, reason) => {
    const response = await putFlag(system, encodeURIComponent(key), body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain(reason);
  });

  it('given malformed JSON, when PUT, then 400 naming it', async () => {
    const response = await fetch(`${system.edgeUrl}/flags/x`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain('malformed JSON');
  });

  it('given an unknown flag, when read, then 404', async () => {
    expect((await fetch(`${system.edgeUrl}/flags/never-set`)).status).toBe(404);
  });

  it('given a body that is not JSON, when PUT, then 415 naming the content type', async () => {
    const response = await fetch(`${system.edgeUrl}/flags/x`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: 'true',
    });

    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: string }).error).toBe(
      'content-type must be application/json, not text/plain',
    );
  });

  it('given a method no route has, when called, then 404 in JSON naming it', async () => {
    const response = await fetch(`${system.edgeUrl}/flags/x`, { method: 'DELETE' });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'no route for DELETE /flags/x' });
  });
});

interface DeadLetter {
  letterId: number;
  type: string;
  event: { id: string };
  destination: string;
  status: number | null;
  response: string;
}

/** A page of `GET /dead-letters` (pending letters unless the query says otherwise). */
async function listLetters(
  system: LocalSystem,
  query = '',
): Promise<{ letters: DeadLetter[]; next?: number }> {
  const response = await fetch(`${system.edgeUrl}/dead-letters${query}`);
  return (await response.json()) as { letters: DeadLetter[]; next?: number };
}

/** A FeatureFlagChanged the broker accepts and its handler refuses: `enabled` is not a boolean. */
function publishBadFlagChange(system: LocalSystem, id: string): Promise<Response> {
  return fetch(system.brokerUrl, {
    method: 'POST',
    headers: {
      'ce-specversion': '1.0',
      'ce-id': id,
      'ce-source': '/tests',
      'ce-type': 'dev.eventline.flags.changed',
      'content-type': 'application/json',
      ...asTestSender,
    },
    body: JSON.stringify({ key: 'k', enabled: 'nope' }),
  });
}

/** The routing file with the projection's deliveries given up on after two 2 s attempts. */
function routingWithImpatientProjection(): Routing {
  const routing = loadRouting();
  return {
    ...routing,
    handlers: routing.handlers.map((h) =>
      h.name === 'flags-projection'
        ? { ...h, delivery: { ...h.delivery, retry: 1, backoffDelay: 'PT0.1S', timeout: 'PT2S' } }
        : h,
    ),
  };
}

describe('dead letters: nothing is lost when a handler is down', () => {
  let database: TestDatabase;
  let system: LocalSystem;

  beforeAll(async () => {
    database = await createTestDatabase(servers.databaseUrl, 'dlq');
    system = await startFlagsSystem(database, 'dlq', 'error', routingWithImpatientProjection());
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    await database?.drop();
  });

  it('given the projection is killed, when a flag changes, then its next delivery starts it again and the change is applied', async () => {
    const projection = system.processes.get('flags-projection')!;
    await projection.start();
    const pid = projection.pid;
    await projection.kill('SIGKILL');
    expect(projection.running).toBe(false);

    expect((await putFlag(system, 'after-crash', { enabled: true })).status).toBe(202);

    expect(await eventually(() => flagState(system, 'after-crash'))).toMatchObject({
      enabled: true,
    });
    expect(projection.pid).toBeDefined();
    expect(projection.pid).not.toBe(pid);
    expect((await listLetters(system)).letters).toHaveLength(0);
  }, 90_000);

  it('given the projection hangs, when a flag changes, then the event is dead-lettered with why and a replay after the hung process is replaced applies it', async () => {
    const projection = system.processes.get('flags-projection')!;
    await projection.start();
    // A hung process: its socket takes each delivery, nothing answers before the timeout.
    process.kill(projection.pid!, 'SIGSTOP');
    await putFlag(system, 'while-down', { enabled: true });

    const letter = await eventually(async () => {
      const { letters } = await listLetters(system);
      return letters.find((l) => l.type === 'dev.eventline.flags.changed');
    }, 30_000);
    expect(letter.destination).toBe(`${system.handlerUrls['flags-projection']}/`);
    expect(letter.status).toBeNull();
    expect(letter.response).toBe('no response within 2000 ms');
    expect(await flagState(system, 'while-down')).toBeUndefined();

    // Replaced, as a failing liveness probe would have it: killed and started again.
    await projection.kill('SIGKILL');
    await projection.start();
    const replay = await fetch(`${system.edgeUrl}/dead-letters/${letter.letterId}/replay`, {
      method: 'POST',
    });
    expect(replay.status).toBe(202);
    expect(await eventually(() => flagState(system, 'while-down'))).toMatchObject({
      enabled: true,
    });
    const again = await fetch(`${system.edgeUrl}/dead-letters/${letter.letterId}/replay`, {
      method: 'POST',
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toMatch(/already replayed/);
    expect((await listLetters(system)).letters).toHaveLength(0);
  }, 90_000);

  it('given an event that violates its schema, when published to the broker, then the handler refuses it (400) and it is dead-lettered with the reason', async () => {
    const response = await publishBadFlagChange(system, uniqueName('bad'));
    expect(response.status).toBe(202);
    const letter = await eventually(async () => {
      const { letters } = await listLetters(system);
      return letters.find((l) => l.status === 400);
    }, 15_000);
    expect(letter.response).toContain('data.enabled must be boolean');
  });

  it('given letters, when listed a page of one at a time, then following next visits every letter once, in order', async () => {
    const ids = [uniqueName('page'), uniqueName('page')];
    for (const id of ids) await publishBadFlagChange(system, id);
    const all = await eventually(async () => {
      const listed = await listLetters(system, '?pending=false');
      const filed = listed.letters.filter((l) => ids.includes(l.event.id));
      return filed.length === ids.length ? listed : undefined;
    }, 15_000);
    const visited: number[] = [];
    let after = 0;
    for (;;) {
      const page = await listLetters(system, `?pending=false&limit=1&after=${after}`);
      expect(page.letters).toHaveLength(1);
      visited.push(...page.letters.map((l) => l.letterId));
      if (page.next === undefined) break;
      after = page.next;
    }

    expect(all.letters.length).toBeGreaterThan(1);
    expect(visited).toEqual(all.letters.map((l) => l.letterId));
    expect((await fetch(`${system.edgeUrl}/dead-letters?limit=0`)).status).toBe(400);
  });

  it('given an event that two triggers refuse, when published, then each refusal is a dead letter of its own, and replaying one leaves the other pending', async () => {
    const id = uniqueName('refused-twice');
    const response = await fetch(system.brokerUrl, {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': id,
        'ce-source': '/tests',
        'ce-type': 'dev.eventline.orders.placed',
        'content-type': 'application/json',
        ...asTestSender,
      },
      body: JSON.stringify({ orderId: 'o-1' }),
    });
    expect(response.status).toBe(202);
    const lettersOf = async (count: number) => {
      const letters = (await listLetters(system)).letters.filter((l) => l.event.id === id);
      return letters.length === count ? letters : undefined;
    };

    // notify-customer, revenue-analytics and customer-orders all subscribe to orders.placed;
    // each answers 400
    const [first, second, third] = await eventually(() => lettersOf(3), 15_000);
    expect(new Set([first?.destination, second?.destination, third?.destination]).size).toBe(3);
    expect([first?.status, second?.status, third?.status]).toEqual([400, 400, 400]);

    // two replays of one letter at once (a double click): one publishes, the other is refused
    const replays = await Promise.all(
      [1, 2].map(() =>
        fetch(`${system.edgeUrl}/dead-letters/${first?.letterId}/replay`, { method: 'POST' }),
      ),
    );
    expect(replays.map((r) => r.status).sort()).toEqual([202, 409]);
    const afterReplay = await eventually(async () => {
      const letters = await lettersOf(3);
      return letters?.some((l) => l.letterId > (third?.letterId ?? 0)) ? letters : undefined;
    }, 15_000);
    expect(afterReplay.map((l) => l.destination).sort()).toEqual(
      [first?.destination, second?.destination, third?.destination].sort(),
    );
    expect(afterReplay.map((l) => l.letterId)).toContain(second?.letterId);
  });
});
