import { Cache, createRedis } from '@eventline/cache';
import { createLogger } from '@eventline/telemetry';
import { testServerEnv, uniqueName } from '@eventline/testing';

const log = createLogger('cache-test', 'silent');

describe('cache-aside on real Redis', () => {
  const redis = createRedis(testServerEnv().redisUrl);
  const cache = new Cache(redis, log, `${uniqueName('cache')}:`);

  beforeAll(async () => {
    await new Promise((resolve) => redis.once('ready', resolve));
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('given a cold key, when read twice, then the loader runs once and the entry has a TTL', async () => {
    let loads = 0;
    const load = async () => ({ n: ++loads });
    expect(await cache.getOrLoad('k', 30, load)).toEqual({ n: 1 });
    expect(await cache.getOrLoad('k', 30, load)).toEqual({ n: 1 });
    expect(loads).toBe(1);
    const keys = await redis.keys('*:k');
    expect(await redis.ttl(keys[0] as string)).toBeGreaterThan(0);
  });

  it('given a read that loaded before a change, when it fills after the writer refreshed, then the refreshed value stays', async () => {
    let database = { version: 1 };
    let release: () => void = () => undefined;
    const slowRead = cache.getOrLoad('race', 30, async () => {
      const loaded = database;
      await new Promise<void>((resolve) => (release = resolve));
      return loaded;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    database = { version: 2 };
    await cache.refresh('race', 30, async () => database);
    release();
    expect(await slowRead).toEqual({ version: 1 });
    expect(await cache.getOrLoad('race', 30, async () => database)).toEqual({ version: 2 });
  });

  it('given a value that is gone, when refreshed, then the key is dropped', async () => {
    await cache.getOrLoad('gone', 30, async () => ({ here: true }));
    await cache.refresh('gone', 30, async () => undefined);
    expect(await cache.getOrLoad('gone', 30, async () => ({ here: false }))).toEqual({
      here: false,
    });
  });

  it('given a cached key, when invalidated, then the next read loads again', async () => {
    let loads = 0;
    const load = async () => ({ n: ++loads });
    await cache.getOrLoad('inv', 30, load);
    await cache.invalidate('inv');
    expect(await cache.getOrLoad('inv', 30, load)).toEqual({ n: 2 });
  });

  it('given nothing to load, when read, then nothing is cached', async () => {
    expect(await cache.getOrLoad('absent', 30, async () => undefined)).toBeUndefined();
    expect(await cache.getOrLoad('absent', 30, async () => 'now')).toBe('now');
  });
});

describe('cache-aside with Redis down', () => {
  it('given Redis is unreachable, when read, then every read falls back to the loader and nothing throws', async () => {
    const redis = createRedis('redis://127.0.0.1:1');
    redis.on('error', () => undefined);
    const cache = new Cache(redis, log);
    let loads = 0;
    const load = async () => ({ fresh: ++loads });
    expect(await cache.getOrLoad('k', 30, load)).toEqual({ fresh: 1 });
    expect(await cache.getOrLoad('k', 30, load)).toEqual({ fresh: 2 });
    await expect(cache.invalidate('k')).resolves.toBeUndefined();
    redis.disconnect();
  });
});
