/**
 * Work in flight, counted so that a stop can wait for it to settle: a dispatcher's deliveries, a
 * handler's requests. The wait is bounded and leaves no timer behind once the work settles.
 */
export class InFlightWork {
  private count = 0;
  private readonly idle: Array<() => void> = [];

  get size(): number {
    return this.count;
  }

  begin(): void {
    this.count += 1;
  }

  end(): void {
    this.count -= 1;
    if (this.count === 0) this.idle.splice(0).forEach((resolve) => resolve());
  }

  /** Resolves once nothing is in flight, or after `waitMs`, whichever comes first. */
  async settled(waitMs: number): Promise<void> {
    if (this.count === 0) return;
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idle.push(resolve)),
      new Promise<void>((resolve) => (deadline = setTimeout(resolve, waitMs))),
    ]);
    clearTimeout(deadline);
  }
}
