/** What a client asks for: the body of POST /orders. */
export interface OrderRequest {
  customerId: string;
  region: string;
  items: Array<{ sku: string; quantity: number; unitPrice: number }>;
}

/** A sku of the campaign's catalogue and the stock it starts with. */
export interface StockedSku {
  sku: string;
  stock: number;
}

/** The region the campaign's systems fail shipping to (SHIPMENT_FAILURE_REGIONS): refunds. */
export const FAILING_REGION = 'atlantis';
/** The sku probe orders buy. */
export const PROBE_SKU = 'probe';

/** mulberry32: a seeded generator, so a scenario's orders are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The probes' stock: far more than any campaign places, so a probe never cancels. */
export const PROBE_STOCK: StockedSku = { sku: PROBE_SKU, stock: 1_000_000 };

/**
 * Stock for `orders` orders, skus named after `prefix` (a scenario's own): two with plenty, two
 * scarce ones that run out part-way (the orders after that are cancelled for want of stock).
 */
export function catalogueFor(prefix: string, orders: number): StockedSku[] {
  const scarce = Math.max(5, Math.ceil(orders * 0.2));
  return [
    { sku: `${prefix}-plenty-a`, stock: orders * 10 },
    { sku: `${prefix}-plenty-b`, stock: orders * 10 },
    { sku: `${prefix}-scarce-a`, stock: scarce },
    { sku: `${prefix}-scarce-b`, stock: scarce },
  ];
}

/**
 * The i-th order of the load: one or two skus of `catalogue`, one to three of each;
 * one customer in ten named `decline-*` (the simulated provider declines them: a release), one
 * order in ten shipped to the failing region (charged, then refunded and released).
 */
export function orderOf(random: () => number, i: number, catalogue: StockedSku[]): OrderRequest {
  const skus = catalogue.map((entry) => entry.sku);
  const first = skus[Math.floor(random() * skus.length)] as string;
  const second = skus[Math.floor(random() * skus.length)] as string;
  const chosen = random() < 0.5 || first === second ? [first] : [first, second];
  return {
    customerId: random() < 0.1 ? `decline-${i}` : `c-${i}`,
    region: random() < 0.1 ? FAILING_REGION : 'eu-west',
    items: chosen.map((sku) => ({
      sku,
      quantity: 1 + Math.floor(random() * 3),
      unitPrice: 100 * (5 + Math.floor(random() * 45)),
    })),
  };
}

/** An order of one probe item, to a region that ships: it completes once the system works. */
export function probeOrder(n: number): OrderRequest {
  return {
    customerId: `probe-${n}`,
    region: 'eu-west',
    items: [{ sku: PROBE_SKU, quantity: 1, unitPrice: 100 }],
  };
}

/** How long a client waits for the edge's answer; no answer counts as refused ("timeout"). */
const ANSWER_TIMEOUT_MS = 10_000;

/** POSTs one order; its id when the edge accepted it (202), else why not. */
export async function placeOrder(
  edgeUrl: string,
  order: OrderRequest,
): Promise<{ orderId: string } | { refused: string }> {
  try {
    const response = await fetch(`${edgeUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(order),
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
    const body = await response.text();
    if (response.status !== 202) return { refused: String(response.status) };
    return { orderId: (JSON.parse(body) as { orderId: string }).orderId };
  } catch (err) {
    const error = err as Error & { cause?: { code?: string } };
    return { refused: error.name === 'TimeoutError' ? 'timeout' : (error.cause?.code ?? 'error') };
  }
}

/**
 * An open-loop order load: `rate` orders per second on schedule whatever the answers (a slow or
 * failing system does not slow it down), each answer counted as accepted (its order id kept) or
 * refused by status or error.
 */
export class SteadyOrders {
  offered = 0;
  readonly accepted: string[] = [];
  readonly refused: Record<string, number> = {};
  private readonly answers = new Set<Promise<void>>();
  private ticker?: NodeJS.Timeout;

  constructor(
    private readonly edgeUrl: string,
    private readonly rate: number,
    private readonly next: (i: number) => OrderRequest,
  ) {}

  start(): void {
    const started = performance.now();
    this.ticker = setInterval(() => {
      const due = Math.floor(((performance.now() - started) / 1000) * this.rate);
      while (this.offered < due) this.offer(this.offered++);
    }, 5);
  }

  private offer(i: number): void {
    const answer = placeOrder(this.edgeUrl, this.next(i)).then((outcome) => {
      if ('orderId' in outcome) this.accepted.push(outcome.orderId);
      else this.refused[outcome.refused] = (this.refused[outcome.refused] ?? 0) + 1;
    });
    this.answers.add(answer);
    void answer.finally(() => this.answers.delete(answer));
  }

  /** Stops offering and waits for the answers still out (each bounded by its timeout). */
  async stop(): Promise<void> {
    clearInterval(this.ticker);
    await Promise.all([...this.answers]);
  }
}
