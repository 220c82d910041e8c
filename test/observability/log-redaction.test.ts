import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  HandlerProcess,
  migrateAsPackageRoles,
  serviceEntryPoint,
  type PackageConnection,
} from '@eventline/runtime';
import { service as flags } from '@eventline/service-flags';
import { createTestDatabase, testServerEnv, type TestDatabase } from '@eventline/testing';
import { RecordingSubscriber } from '../support/recording-subscriber';

const servers = testServerEnv();
const token = 'bearer-token-8f2c41d9e7';
const cookie = 'session-cookie-5a9e03b6c1';
const redisPassword = 'redis-password-c03d7f1e88';

describe('log redaction: no credential reaches a log line', () => {
  let database: TestDatabase;
  let connection: PackageConnection;
  let handler: HandlerProcess;
  let sink: RecordingSubscriber;
  const lines: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(servers.databaseUrl, 'redaction');
    connection = (await migrateAsPackageRoles(database.url, [flags])).get(
      'flags',
    ) as PackageConnection;
    sink = await new RecordingSubscriber(() => ({ status: 202 })).start();
    const redis = new URL(servers.redisUrl);
    redis.username = 'default';
    redis.password = redisPassword;
    handler = new HandlerProcess(
      'flags-api',
      serviceEntryPoint('flags'),
      {
        ...process.env,
        DATABASE_URL: connection.runtimeUrl,
        // a password the server does not want: the client's failures are logged at debug
        REDIS_URL: redis.toString(),
        K_SINK: sink.url,
        LOG_LEVEL: 'trace',
      },
      (line) => lines.push(line),
    );
    await handler.start();
  });

  afterAll(async () => {
    await handler?.kill();
    await sink?.stop();
    await database?.drop();
  });

  it('given a handler connecting with passwords, when requests carry Authorization and Cookie headers, then its output holds none of them and still logs what happened', async () => {
    const databasePassword = decodeURIComponent(new URL(connection.runtimeUrl).password);
    expect(databasePassword.length).toBeGreaterThan(16);
    const headers = {
      authorization: `Bearer ${token}`,
      cookie: `session=${cookie}`,
      'content-type': 'application/json',
    };
    const statuses: number[] = [];
    for (const [method, body] of [
      ['PUT', JSON.stringify({ enabled: true })],
      ['PUT', '{"enabled":'],
      ['GET', undefined],
    ] as const) {
      const response = await fetch(`${handler.url}/flags/redaction`, { method, headers, body });
      statuses.push(response.status);
    }
    // accepted; refused as bad JSON; not projected (no projection runs here)
    expect(statuses).toEqual([202, 400, 404]);
    await handler.kill();

    const output = lines.join('\n');
    expect(output).toContain('handler ready');
    expect(output).toContain('request rejected');
    for (const secret of [databasePassword, token, cookie, redisPassword])
      expect(output).not.toContain(secret);
  });
});

describe('log redaction in the logger itself', () => {
  it('given credentials under any key, at any depth, in a URL in a message or an error, then the logger writes none of them', () => {
    const url = `postgres://app:${token}@db.internal:5432/app`;
    // A process of its own, as every logger writes to its process's stdout.
    const script = `
      const { createLogger } = require(${JSON.stringify(path.resolve('shared/telemetry/dist'))});
      const log = createLogger('redaction', 'info');
      log.info({ req: { headers: { Authorization: 'Bearer ${token}', Cookie: '${cookie}' } } }, 'request');
      log.info({ a: { b: { c: { headers: { 'set-cookie': ['${cookie}'] } } } } }, 'deep');
      log.info({ config: { DATABASE_URL: '${url}', target: '${url}' } }, 'config');
      log.warn('connecting to ${url}');
      log.error({ err: new Error('could not connect to ${url}') }, 'failed');
      log.info({ password: '${redisPassword}' }, 'password');
      const ended = Object.assign(new Error('terminating connection'), {
        code: '57P01',
        client: { connectionParameters: { user: 'app' }, _queryQueue: [] },
      });
      log.warn({ err: ended }, 'connection ended');
    `;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(child.status).toBe(0);
    const records = child.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => r.msg)).toEqual([
      'request',
      'deep',
      'config',
      'connecting to postgres://app:[redacted]@db.internal:5432/app',
      'failed',
      'password',
      'connection ended',
    ]);
    for (const secret of [token, cookie, redisPassword]) expect(child.stdout).not.toContain(secret);
    expect(records[2]).toMatchObject({
      config: {
        DATABASE_URL: '[redacted]',
        target: 'postgres://app:[redacted]@db.internal:5432/app',
      },
    });
    expect(records[4]).toMatchObject({
      err: { message: 'could not connect to postgres://app:[redacted]@db.internal:5432/app' },
    });
    // pg's client on its error is state, not a reason: the record keeps the code and message.
    expect(records[6]?.err).toMatchObject({ code: '57P01', message: 'terminating connection' });
    expect(records[6]?.err).not.toHaveProperty('client');
  });
});
