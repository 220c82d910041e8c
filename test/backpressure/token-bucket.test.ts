import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { testServerEnv, uniqueName } from '@eventline/testing';

const run = promisify(execFile);
const CAPACITY = 5;
const PER_SECOND = 20;
const SECONDS = 1.5;

/** Two replicas, each its own process, drawing from the bucket(s) named over the same span. */
async function twoReplicas(buckets: [string, string]) {
  const prefix = `${uniqueName('ratelimit')}:`;
  const startAt = Date.now() + 1500;
  const stopAt = startAt + SECONDS * 1000;
  const replicas = await Promise.all(
    buckets.map((bucket) =>
      run(process.execPath, [
        path.join(__dirname, 'take-tokens.js'),
        testServerEnv().redisUrl,
        prefix,
        bucket,
        String(CAPACITY),
        String(PER_SECOND),
        String(startAt),
        String(stopAt),
      ]),
    ),
  );
  return replicas.map(({ stdout }) => JSON.parse(stdout) as { taken: number; refused: number });
}

/** What one bucket allows over the span: its capacity, then its rate; one token of slack. */
const allowed = CAPACITY + PER_SECOND * SECONDS + 1;

describe('a token bucket in Redis, across two processes', () => {
  it('given two replicas drawing from one downstream bucket as fast as they can, then together they get no more than its rate allows', async () => {
    const [a, b] = await twoReplicas(['payments', 'payments']);
    expect(a!.taken).toBeGreaterThan(0);
    expect(b!.taken).toBeGreaterThan(0);
    expect(a!.refused + b!.refused).toBeGreaterThan(0);
    expect(a!.taken + b!.taken).toBeLessThanOrEqual(allowed);
    expect(a!.taken + b!.taken).toBeGreaterThanOrEqual(CAPACITY + PER_SECOND * SECONDS * 0.7);
  }, 30_000);

  it('given a bucket per replica instead, then the two get about twice the rate: what the shared bucket prevents', async () => {
    const [a, b] = await twoReplicas(['payments-a', 'payments-b']);
    expect(a!.taken + b!.taken).toBeGreaterThan(allowed);
  }, 30_000);
});
