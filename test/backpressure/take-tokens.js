// One replica drawing from a token bucket in Redis as fast as it can between two instants, then
// printing how many tokens it got. Run as its own process by token-bucket.test.ts.
const { TokenBucket } = require('@eventline/backpressure');
const { Cache, createRedis } = require('@eventline/cache');
const { createLogger } = require('@eventline/telemetry');
const { setTimeout: sleep } = require('node:timers/promises');

async function main() {
  const [url, prefix, bucket, capacity, perSecond, startAt, stopAt] = process.argv.slice(2);
  const redis = createRedis(url);
  await new Promise((resolve) =>
    redis.status === 'ready' ? resolve() : redis.once('ready', resolve),
  );
  const cache = new Cache(redis, createLogger('take-tokens'), prefix);
  const tokens = new TokenBucket(cache, bucket, {
    capacity: Number(capacity),
    perSecond: Number(perSecond),
  });
  await sleep(Math.max(0, Number(startAt) - Date.now()));
  let taken = 0;
  let refused = 0;
  while (Date.now() < Number(stopAt)) {
    const take = await tokens.take();
    if (take === undefined) throw new Error('no answer from Redis');
    if (take.taken) taken += 1;
    else {
      refused += 1;
      await sleep(Math.min(take.retryAfterMs, 5));
    }
  }
  process.stdout.write(`${JSON.stringify({ taken, refused })}\n`);
  await redis.quit();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
