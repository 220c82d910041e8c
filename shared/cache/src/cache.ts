import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { instruments, type Logger } from '@eventline/telemetry';

/** The Redis commands Eventline uses; ioredis and the embedded stand-in both provide them. */
export type RedisClient = Pick<
  Redis,
  'get' | 'set' | 'del' | 'quit' | 'ping' | 'status' | 'eval' | 'evalsha' | 'hgetall'
>;

/** A Lua script, sent by its SHA1 once Redis has seen it. */
export interface RedisScript {
  source: string;
  sha: string;
}

export function redisScript(source: string): RedisScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Sets each field of a hash whose new value is newer than the one it holds: values are
 * `<ISO-8601 UTC time, 24 characters>|<payload>`, so the time prefix orders them. Then renews the
 * hash's TTL. ARGV: ttl, then field and value pairs.
 */
const PUT_NEWEST = redisScript(`
for i = 2, #ARGV, 2 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  if not current or string.sub(current, 1, 24) < string.sub(ARGV[i + 1], 1, 24) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1`);

export function createRedis(url: string): Redis {
  // Fail fast when Redis is away: callers degrade to Postgres rather than queue behind a dead link.
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    lazyConnect: false,
  });
}

/**
 * Cache-aside over Redis with TTLs. Redis failures are logged and bypassed: a read falls back to
 * the loader (Postgres), never to a stale or wrong answer; an invalidation that fails is logged
 * and bounded by the TTL.
 */
const cacheInstruments = instruments((meter) => ({
  hits: meter.createCounter('eventline.cache.hits', {
    description: 'Cache reads answered from Redis',
    unit: '{read}',
  }),
  misses: meter.createCounter('eventline.cache.misses', {
    description: 'Cache reads that went to the database: absent, expired, or Redis away',
    unit: '{read}',
  }),
}));

export class Cache {
  private readonly metrics = cacheInstruments();
  private readonly attributes: { handler: string };

  constructor(
    /** absent when no Redis is configured: every read goes to the loader */
    private readonly redis: RedisClient | undefined,
    private readonly log: Logger,
    private readonly prefix = '',
    /** who reads, for the hit and miss counts */
    owner = 'unnamed',
  ) {
    this.attributes = { handler: owner };
  }

  private counted<T>(found: T | undefined): T | undefined {
    if (found === undefined) this.metrics.misses.add(1, this.attributes);
    else this.metrics.hits.add(1, this.attributes);
    return found;
  }

  private key(key: string): string {
    return this.prefix + key;
  }

  async getOrLoad<T>(
    key: string,
    ttlSeconds: number,
    load: () => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const cached = this.counted(await this.read(key));
    if (cached !== undefined) return JSON.parse(cached) as T;
    const value = await load();
    // NX: a fill never overwrites. A read that loaded before a change and writes after the
    // writer's refresh would otherwise cache the old value for a whole TTL.
    if (value !== undefined) await this.write(key, JSON.stringify(value), ttlSeconds, 'NX');
    return value;
  }

  /**
   * For the writer, after its commit: caches the value as it now is (or drops the key when there
   * is none). Unlike a delete, this leaves no gap for a concurrent read to fill with what it
   * loaded before the change.
   */
  async refresh<T>(
    key: string,
    ttlSeconds: number,
    load: () => Promise<T | undefined>,
  ): Promise<void> {
    const value = await load();
    if (value === undefined) await this.invalidate(key);
    else await this.write(key, JSON.stringify(value), ttlSeconds);
  }

  async invalidate(...keys: string[]): Promise<void> {
    if (!this.redis) return;
    try {
      await this.redis.del(...keys.map((k) => this.key(k)));
    } catch (err) {
      this.log.warn({ err, keys }, 'cache invalidation failed; entries expire by TTL');
    }
  }

  /**
   * Runs a Lua script atomically on the keys (prefixed like every cache key). Undefined when
   * Redis is absent, away or fails: the caller answers from Postgres instead.
   */
  async script(
    script: RedisScript,
    keys: string[],
    args: Array<string | number>,
  ): Promise<unknown | undefined> {
    const redis = this.connected;
    if (!redis) return undefined;
    const prefixed = keys.map((k) => this.key(k));
    try {
      try {
        return await redis.evalsha(script.sha, prefixed.length, ...prefixed, ...args);
      } catch (err) {
        if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
        return await redis.eval(script.source, prefixed.length, ...prefixed, ...args);
      }
    } catch (err) {
      this.log.warn({ err, keys }, 'redis script failed; answering from the database');
      return undefined;
    }
  }

  /**
   * Keeps the newest value of each field of a hash (latest readings and the like): a field is
   * replaced only by a value of a later `at` (an ISO-8601 UTC time from Date#toISOString), so
   * writers racing with older data never move it back. Returns false when Redis did not take it;
   * the caller then drops the key, so readers fall back to the database rather than see old values.
   */
  async putNewest(
    key: string,
    fields: Record<string, { at: string; value: string }>,
    ttlSeconds: number,
  ): Promise<boolean> {
    const args: string[] = [String(ttlSeconds)];
    for (const field in fields) {
      const { at, value } = fields[field] as { at: string; value: string };
      args.push(field, `${at}|${value}`);
    }
    if ((await this.script(PUT_NEWEST, [key], args)) !== undefined) return true;
    await this.invalidate(key);
    return false;
  }

  /** A hash written by putNewest, field by field as { at, value }; undefined when absent or unreadable. */
  async readNewest(
    key: string,
  ): Promise<Record<string, { at: string; value: string }> | undefined> {
    return this.counted(await this.readHash(key));
  }

  private async readHash(
    key: string,
  ): Promise<Record<string, { at: string; value: string }> | undefined> {
    const redis = this.connected;
    if (!redis) return undefined;
    try {
      const hash = await redis.hgetall(this.key(key));
      const fields = Object.keys(hash);
      if (fields.length === 0) return undefined;
      return Object.fromEntries(
        fields.map((field) => {
          const stored = hash[field] as string;
          return [field, { at: stored.slice(0, 24), value: stored.slice(25) }];
        }),
      );
    } catch (err) {
      this.log.warn({ err, key }, 'cache read failed; reading from the database');
      return undefined;
    }
  }

  /** Only a connected client is asked: a Redis that is away costs nothing, not a timeout. */
  private get connected(): RedisClient | undefined {
    return this.redis?.status === 'ready' ? this.redis : undefined;
  }

  private async read(key: string): Promise<string | undefined> {
    const redis = this.connected;
    if (!redis) return undefined;
    try {
      return (await redis.get(this.key(key))) ?? undefined;
    } catch (err) {
      this.log.warn({ err, key }, 'cache read failed; reading from the database');
      return undefined;
    }
  }

  private async write(
    key: string,
    value: string,
    ttlSeconds: number,
    onlyIfAbsent?: 'NX',
  ): Promise<void> {
    const redis = this.connected;
    if (!redis) return;
    try {
      if (onlyIfAbsent) await redis.set(this.key(key), value, 'EX', ttlSeconds, onlyIfAbsent);
      else await redis.set(this.key(key), value, 'EX', ttlSeconds);
    } catch (err) {
      this.log.warn({ err, key }, 'cache write failed');
    }
  }
}
