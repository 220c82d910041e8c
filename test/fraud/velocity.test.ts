import Redis from 'ioredis';
import { Cache } from '@eventline/cache';
import { migrateService } from '@eventline/kit';
import { createPool, type Pool } from '@eventline/store';
import { createLogger } from '@eventline/telemetry';
import {
  createTestDatabase,
  testServerEnv,
  uniqueName,
  type TestDatabase,
} from '@eventline/testing';
import {
  recordVelocity,
  service as fraudService,
  velocityFromDatabase,
} from '@eventline/service-fraud';

const servers = testServerEnv();
const log = createLogger('velocity-test', 'silent');

const at = (seconds: number) =>
  new Date(Date.UTC(2026, 0, 5, 12, 0, 0) + seconds * 1000).toISOString();
const transaction = (customerId: string, id: string, seconds: number, amount = 1_000) => ({
  transactionId: id,
  customerId,
  amount,
  currency: 'EUR',
  merchant: 'm',
  country: 'FR',
  at: at(seconds),
});

describe('velocity counters in Redis', () => {
  let redis: Redis;
  let cache: Cache;
  let prefix: string;

  beforeAll(async () => {
    redis = new Redis(servers.redisUrl);
    await redis.ping();
    prefix = `${uniqueName('velocity')}:`;
    cache = new Cache(redis, log, prefix);
  });

  afterAll(() => redis.disconnect());

  it('given transactions over an hour and a half, when recorded, then each counts the minute and the hour before it, itself included', async () => {
    const seconds = [0, 30, 50, 100, 1_800, 5_000];
    const answers = [];
    for (const [i, s] of seconds.entries())
      answers.push(
        await recordVelocity(cache, transaction('c-windows', `w-${i}`, s, 100 * (i + 1))),
      );
    expect(answers.map((v) => v && [v.count1m, v.sum1m, v.count1h, v.sum1h])).toEqual([
      [1, 100, 1, 100],
      [2, 300, 2, 300],
      [3, 600, 3, 600],
      // 100 s: the minute holds 50 s and 100 s
      [2, 700, 4, 1_000],
      [1, 500, 5, 1_500],
      // 5000 s: only 1800 s is within the hour before it
      [1, 600, 2, 1_100],
    ]);
  });

  it('given transactions recorded once, when each is delivered again, then it answers as the first time and nothing is counted twice', async () => {
    const ts = [0, 10, 20, 30, 40].map((s, i) => transaction('c-again', `a-${i}`, s, 1_000 + i));
    const first = [];
    for (const t of ts) first.push(await recordVelocity(cache, t));
    const again = [];
    for (const t of ts) again.push(await recordVelocity(cache, t));
    expect(again).toEqual(first);
    expect(await redis.zcard(`${prefix}fraud:velocity:c-again`)).toBe(5);
  });

  it('given fifty transactions of one customer recorded at once, three times each, then the window holds each once with the exact sum', async () => {
    const ts = Array.from({ length: 50 }, (_, i) =>
      transaction('c-concurrent', `k-${i}`, i, 1_000_000_000_000 + i),
    );
    await Promise.all([...ts, ...ts, ...ts].map((t) => recordVelocity(cache, t)));
    expect(await redis.zcard(`${prefix}fraud:velocity:c-concurrent`)).toBe(50);
    const last = await recordVelocity(cache, ts[49]!);
    expect(last).toEqual({
      count1m: 50,
      sum1m: ts.reduce((s, t) => s + t.amount, 0),
      count1h: 50,
      sum1h: ts.reduce((s, t) => s + t.amount, 0),
      source: 'redis',
    });
  });

  it('given amounts whose sum passes the bound, when counted, then the sum saturates at MAX_VELOCITY_SUM, exactly', async () => {
    const ts = Array.from({ length: 10 }, (_, i) =>
      transaction('c-rich', `r-${i}`, i, 1_000_000_000_000_000),
    );
    let last;
    for (const t of ts) last = await recordVelocity(cache, t);
    expect(last).toMatchObject({ count1m: 10, sum1m: 8_000_000_000_000_000 });
  });
});

describe('velocity counters without Redis', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase(servers.databaseUrl, 'velocity');
    pool = createPool(database.url, { max: 2 });
    await migrateService(fraudService, pool);
  }, 60_000);

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('given Redis absent, when counted, then the same windows come from the transactions in Postgres', async () => {
    const noRedis = new Cache(undefined, log);
    const seconds = [0, 30, 50, 100, 1_800, 5_000];
    const ts = seconds.map((s, i) => transaction('c-pg', `p-${i}`, s, 100 * (i + 1)));
    for (const t of ts)
      await pool.query(
        `INSERT INTO fraud.transactions (transaction_id, customer_id, amount, currency, merchant, country, at, submitted_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now(), 'submitted')`,
        [t.transactionId, t.customerId, t.amount, t.currency, t.merchant, t.country, t.at],
      );
    expect(await recordVelocity(noRedis, ts[3]!)).toBeUndefined();
    const client = await pool.connect();
    try {
      const counted = [];
      for (const t of ts) counted.push(await velocityFromDatabase(client, t));
      expect(counted.map((v) => [v.count1m, v.sum1m, v.count1h, v.sum1h, v.source])).toEqual([
        [1, 100, 1, 100, 'postgres'],
        [2, 300, 2, 300, 'postgres'],
        [3, 600, 3, 600, 'postgres'],
        [2, 700, 4, 1_000, 'postgres'],
        [1, 500, 5, 1_500, 'postgres'],
        [1, 600, 2, 1_100, 'postgres'],
      ]);
    } finally {
      client.release();
    }
  });
});
