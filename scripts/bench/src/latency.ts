export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** completed events per second over the measured window */
  throughput: number;
}

/** The value at percentile `p` of ascending `sorted` values (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function summarize(latenciesMs: number[], windowMs: number): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    throughput: (sorted.length / windowMs) * 1000,
  };
}

/**
 * Offers `rate` events per second for `seconds`, calling `send(i)` on schedule (open loop: a slow
 * system does not slow the offered load down), then waits for `done()` up to `drainMs`.
 */
export async function offerLoad(
  rate: number,
  seconds: number,
  send: (i: number) => void,
  completed: () => number,
  drainMs = 15_000,
): Promise<number> {
  const total = rate * seconds;
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
      while (sent < due) send(sent++);
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  const deadline = performance.now() + drainMs;
  while (completed() < total && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  return performance.now() - started;
}

export const ms = (value: number) => `${value.toFixed(2)} ms`;

/**
 * Counts (every 200 ms) until the count reaches `expected` or `waitMs` passes; the last count.
 * A bench waits for its work to finish this way, reading what the system recorded.
 */
export async function countUntil(
  count: () => Promise<number>,
  expected: number,
  waitMs: number,
): Promise<number> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const counted = await count();
    if (counted >= expected || Date.now() > deadline) return counted;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
