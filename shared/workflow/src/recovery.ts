import type { Catcher, Retrier } from './definition';

/** States.ALL matches any error but States.Runtime (a broken definition or input: never retried). */
export function errorMatches(errorEquals: string[], error: string): boolean {
  return errorEquals.some(
    (name) =>
      name === error ||
      (name === 'States.ALL' && error !== 'States.Runtime') ||
      (name === 'States.Timeout' && error === 'States.HeartbeatTimeout'),
  );
}

export interface RetryDecision {
  retrier: number;
  delayMs: number;
}

/**
 * The first retrier naming the error decides, and only it: once its attempts are spent the
 * error goes to Catch, even if a later retrier also names it (the ASL rule).
 * `unit` is a number in [0, 1) the interpreter derives from the history, for FULL jitter.
 */
export function retryFor(
  retriers: Retrier[] | undefined,
  attempts: readonly number[],
  error: string,
  unit: number,
): RetryDecision | undefined {
  const index = (retriers ?? []).findIndex((r) => errorMatches(r.ErrorEquals, error));
  if (index < 0) return undefined;
  const retrier = retriers?.[index] as Retrier;
  const made = attempts[index] ?? 0;
  if (made >= (retrier.MaxAttempts ?? 3)) return undefined;
  let delay = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** made;
  if (retrier.MaxDelaySeconds !== undefined) delay = Math.min(delay, retrier.MaxDelaySeconds);
  if (retrier.JitterStrategy === 'FULL') delay *= unit;
  return { retrier: index, delayMs: Math.round(delay * 1000) };
}

export function catcherFor(catchers: Catcher[] | undefined, error: string): Catcher | undefined {
  return (catchers ?? []).find((c) => errorMatches(c.ErrorEquals, error));
}
