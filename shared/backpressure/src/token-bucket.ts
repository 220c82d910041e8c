import { redisScript, type Cache } from '@eventline/cache';

/**
 * Refills by the time elapsed since the last take, then takes one token if there is one.
 * The time is Redis's own (TIME), so replicas whose clocks differ share one bucket correctly.
 * KEYS: the bucket. ARGV: capacity, tokens per second. Returns {taken 0|1, ms until a token}.
 */
const TAKE = redisScript(`
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or capacity
local at = tonumber(bucket[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate / 1000)
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
local wait = 0
if taken == 0 then wait = math.ceil((1 - tokens) * 1000 / rate) end
return {taken, wait}`);

export interface TokenBucketOptions {
  /** the most calls at once after a quiet spell */
  capacity: number;
  /** the calls per second it allows over time, for all replicas together */
  perSecond: number;
}

export type Take = { taken: true } | { taken: false; retryAfterMs: number };

/**
 * A rate limit per downstream, in Redis so every replica draws from the one bucket: three pods
 * do not triple the rate. Without Redis it answers undefined and the caller chooses (a payment
 * adapter refuses rather than overrun its provider).
 */
export class TokenBucket {
  constructor(
    private readonly cache: Cache,
    readonly downstream: string,
    private readonly options: TokenBucketOptions,
  ) {
    if (!(options.capacity >= 1) || !(options.perSecond > 0)) {
      throw new RangeError('a token bucket needs a capacity of at least 1 and a positive rate');
    }
  }

  async take(): Promise<Take | undefined> {
    const answer = await this.cache.script(
      TAKE,
      [`ratelimit:${this.downstream}`],
      [this.options.capacity, this.options.perSecond],
    );
    if (!Array.isArray(answer)) return undefined;
    const [taken, wait] = answer.map(Number);
    return taken === 1 ? { taken: true } : { taken: false, retryAfterMs: wait ?? 0 };
  }
}
