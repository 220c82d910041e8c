/**
 * A circuit breaker around one downstream: `failures` failures within `windowMs` open it; while
 * open every call fails fast; after `openMs` one call goes through as a probe (half-open): its
 * success closes the breaker, its failure opens it again. Per process: each replica learns
 * the downstream's health from its own calls, as Step Functions' callers do.
 */
export interface BreakerOptions {
  failures: number;
  windowMs: number;
  openMs: number;
  now?: () => number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A call refused because the breaker is open: retryable, after `retryAfterMs`. */
export class CircuitOpenError extends Error {
  constructor(
    readonly downstream: string,
    readonly retryAfterMs: number,
  ) {
    super(`${downstream} is failing: its circuit breaker is open for ${retryAfterMs} ms more`);
    this.name = 'CircuitOpenError';
  }
}

export class CircuitBreaker {
  private failuresAt: number[] = [];
  private openedAt: number | undefined;
  private probing = false;
  private readonly now: () => number;

  constructor(
    readonly downstream: string,
    private readonly options: BreakerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.options.openMs ? 'half-open' : 'open';
  }

  async call<T>(work: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.probing)) {
      const left = (this.openedAt as number) + this.options.openMs - this.now();
      throw new CircuitOpenError(this.downstream, Math.max(left, 0));
    }
    if (state === 'half-open') this.probing = true;
    try {
      const result = await work();
      this.succeeded();
      return result;
    } catch (err) {
      this.failed();
      throw err;
    }
  }

  private succeeded(): void {
    this.probing = false;
    if (this.openedAt !== undefined) {
      this.openedAt = undefined;
      this.failuresAt = [];
    }
  }

  private failed(): void {
    const now = this.now();
    if (this.probing) {
      this.probing = false;
      this.openedAt = now;
      return;
    }
    this.failuresAt = this.failuresAt.filter((at) => now - at < this.options.windowMs);
    this.failuresAt.push(now);
    if (this.failuresAt.length >= this.options.failures) this.openedAt = now;
  }
}
