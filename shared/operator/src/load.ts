import type { SystemClient } from './client';

/** Latencies kept whole: a run is at most rate × seconds requests, few enough to sort. */
export class Latencies {
  private readonly values: number[] = [];
  private sorted = true;

  add(ms: number): void {
    this.values.push(ms);
    this.sorted = false;
  }

  get count(): number {
    return this.values.length;
  }

  /** The nearest-rank percentile (0 < p ≤ 100), in ms; 0 before any request is timed. */
  percentile(p: number): number {
    if (this.values.length === 0) return 0;
    if (!this.sorted) {
      this.values.sort((a, b) => a - b);
      this.sorted = true;
    }
    const rank = Math.min(
      this.values.length,
      Math.max(1, Math.ceil((p / 100) * this.values.length)),
    );
    return this.values[rank - 1] as number;
  }
}

export interface LoadProgress {
  total: number;
  sent: number;
  done: number;
  accepted: number;
  failed: number;
  p50: number;
  p99: number;
}

export interface LoadReport {
  total: number;
  accepted: number;
  failed: number;
  /** HTTP status (or "network") → count */
  outcomes: Record<string, number>;
  seconds: number;
  achievedRate: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** a few of the accepted orders, to look at with `executions show` */
  sampleOrderIds: string[];
}

export interface OrderLoad {
  rate: number;
  seconds: number;
  sku: string;
  onProgress?: (progress: LoadProgress) => void;
}

const SAMPLE = 5;

/**
 * Places orders at a fixed rate for a fixed time, open loop: each order goes out at its slot
 * whether or not earlier ones were answered, so a slow system shows as latency, not as a lower
 * rate sent. Latency is the time to the edge's answer (202 once the order is recorded).
 */
export async function placeOrders(client: SystemClient, load: OrderLoad): Promise<LoadReport> {
  const total = Math.max(1, Math.round(load.rate * load.seconds));
  const latencies = new Latencies();
  const outcomes: Record<string, number> = {};
  const sampleOrderIds: string[] = [];
  const progress: LoadProgress = {
    total,
    sent: 0,
    done: 0,
    accepted: 0,
    failed: 0,
    p50: 0,
    p99: 0,
  };
  const report = () => {
    progress.p50 = latencies.percentile(50);
    progress.p99 = latencies.percentile(99);
    load.onProgress?.({ ...progress });
  };
  // Percentiles sort every latency so far: reported a few times a second, not per request.
  let lastReport = 0;
  const reportNowAndThen = () => {
    if (performance.now() - lastReport < 100) return;
    lastReport = performance.now();
    report();
  };
  const one = async (i: number) => {
    const started = performance.now();
    let outcome: string;
    try {
      const response = await client.send('POST', '/orders', {
        customerId: `load-${i % 100}`,
        region: 'eu-west',
        items: [{ sku: load.sku, quantity: 1, unitPrice: 100 }],
      });
      const body = (await response.json().catch(() => undefined)) as
        { orderId?: string } | undefined;
      outcome = String(response.status);
      if (response.status === 202) {
        progress.accepted += 1;
        if (sampleOrderIds.length < SAMPLE && body?.orderId) sampleOrderIds.push(body.orderId);
      } else progress.failed += 1;
    } catch {
      outcome = 'network';
      progress.failed += 1;
    }
    latencies.add(performance.now() - started);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    progress.done += 1;
    reportNowAndThen();
  };
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1000) / load.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(one(i));
    progress.sent += 1;
    reportNowAndThen();
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  report();
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    total,
    accepted: progress.accepted,
    failed: progress.failed,
    outcomes,
    seconds: round(seconds),
    achievedRate: round(total / seconds),
    latencyMs: {
      p50: round(latencies.percentile(50)),
      p90: round(latencies.percentile(90)),
      p99: round(latencies.percentile(99)),
      max: round(latencies.percentile(100)),
    },
    sampleOrderIds,
  };
}
