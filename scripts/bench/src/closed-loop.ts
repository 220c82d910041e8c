/**
 * Runs `work` in `workers` closed loops for a warm-up, then counts what completes in the
 * measured window. Each worker's `work(w)` resolves to the number of events it handled.
 */
export async function closedLoop(
  workers: number,
  warmupMs: number,
  measureMs: number,
  work: (worker: number) => Promise<number>,
): Promise<{ operations: number; events: number }> {
  const started = performance.now();
  const measureFrom = started + warmupMs;
  const until = measureFrom + measureMs;
  let operations = 0;
  let events = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < until) {
        const handled = await work(w);
        const at = performance.now();
        if (at >= measureFrom && at < until) {
          operations++;
          events += handled;
        }
      }
    }),
  );
  return { operations, events };
}
