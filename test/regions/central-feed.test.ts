import { eventually } from '@eventline/testing';
import type { LocalSystem } from '@eventline/runtime';
import { startHybridWorld, type HybridWorld } from './hybrid-system';

const REGIONS = ['eu-west', 'us-east'];
const SKUS = ['mug', 'tea', 'pot'];
const PURCHASES_PER_PHASE = 120;
/** a report every this many purchases, as a busy region's minute would hold many more */
const REPORT_EVERY = 40;

type Tally = Record<string, Record<string, number>>;
interface RegionView {
  available: number | null;
  sold: number;
}
interface Answer {
  status: number;
  body: { available?: number; shipped?: number; regions?: Record<string, RegionView> };
}

async function call(
  system: LocalSystem,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> {
  const response = await fetch(`${system.edgeUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Answer['body'] };
}

/** A few baskets at a time per region, the central feed fired now and then, as a minute's tick. */
async function sell(world: HybridWorld, tally: Tally, seed: number): Promise<void> {
  await Promise.all(
    [...world.hybrid.regions].map(async ([region, system]) => {
      for (let n = 0; n < PURCHASES_PER_PHASE; n += 4) {
        await Promise.all(
          [0, 1, 2, 3].map(async (k) => {
            const i = seed + n + k;
            const items = SKUS.filter((_, s) => (i + s) % 3 !== 0).map((sku, s) => ({
              sku,
              quantity: 1 + ((i + s) % 3),
              unitPrice: 250,
            }));
            const sale = await call(system, 'POST', '/pos/purchases', {
              storeId: `${region}-store`,
              items,
              payment: { method: 'cash' },
            });
            expect(sale.status).toBe(201);
            for (const item of items)
              tally[region]![item.sku] = (tally[region]![item.sku] ?? 0) + item.quantity;
          }),
        );
        if ((n + 4) % REPORT_EVERY === 0) await system.pingSources.fire('central-feed');
      }
    }),
  );
}

const centralView = async (world: HybridWorld, sku: string) =>
  call(world.hybrid.central, 'GET', `/central/inventory/${sku}`);

/** Where central's view differs from a region's inventory and the sales the test made there. */
async function disagreement(world: HybridWorld, tally: Tally): Promise<string | undefined> {
  for (const sku of SKUS) {
    const view = await centralView(world, sku);
    if (view.status !== 200) return `${sku}: central answers ${view.status}`;
    for (const [region, system] of world.hybrid.regions) {
      const stock = (await call(system, 'GET', `/inventory/${sku}`)).body;
      // POS sales are all the region shipped: central's count is the region's own.
      expect(stock.shipped).toBe(tally[region]![sku]);
      const seen = view.body.regions?.[region];
      if (seen?.available !== stock.available || seen?.sold !== tally[region]![sku])
        return `${region} ${sku}: central has ${JSON.stringify(seen)}, the region ${stock.available} available and ${tally[region]![sku]} sold`;
    }
  }
  return undefined;
}

/** Waits until central agrees with every region; the last difference is the failure's reason. */
async function centralCatchesUp(world: HybridWorld, tally: Tally): Promise<void> {
  await eventually(async () => {
    const differs = await disagreement(world, tally);
    if (differs) throw new Error(differs);
    return true;
  }, 60_000);
}

/** A CloudEvent's bytes as a Kafka record in binary content mode holds them: ce_ headers and data. */
const recordBytes = (request: { headers: Record<string, unknown>; body: string }) =>
  Object.entries(request.headers)
    .filter(([name]) => name.startsWith('ce-') || name === 'content-type')
    .reduce((sum, [name, value]) => sum + name.length + String(value).length, 0) +
  Buffer.byteLength(request.body);

describe('regions and a central store on real Postgres, Redis and Kafka', () => {
  let world: HybridWorld;
  const tally: Tally = Object.fromEntries(REGIONS.map((r) => [r, {}]));

  beforeAll(async () => {
    world = await startHybridWorld(REGIONS);
    for (const system of world.hybrid.regions.values())
      for (const sku of SKUS)
        expect(
          (await call(system, 'PUT', `/inventory/${sku}`, { available: 100_000 })).status,
        ).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  }, 60_000);

  it('given regions selling, when the link to central is cut mid-load and restored, then central catches up with each region, nothing lost or counted twice, on a feed a small share of the raw events', async () => {
    await sell(world, tally, 0);
    for (const system of world.hybrid.regions.values())
      await system.pingSources.fire('central-feed');
    await centralCatchesUp(world, tally);

    // The link goes down: central reads nothing of the feed; the regions keep selling.
    const link = world.hybrid.central.kafkaSources.get('central-feed');
    if (!link) throw new Error('central runs no central-feed KafkaSource');
    await link.stop();
    const before = await centralView(world, 'mug');
    await sell(world, tally, 1000);
    for (const system of world.hybrid.regions.values())
      await system.pingSources.fire('central-feed');
    // A region sends a report central applied already again, under its own id and a new one
    // (as a region restoring its outbox may): the topic now holds it three times.
    const euWest = world.hybrid.regions.get('eu-west') as LocalSystem;
    const sent = world.reports.get('eu-west')?.received[0];
    if (!sent) throw new Error('eu-west sent no report');
    const sink = euWest.kafkaSinks.get('central-feed')?.url as string;
    for (const id of [String(sent.headers['ce-id']), 'eu-west-resent-1']) {
      const headers = Object.fromEntries(
        Object.entries(sent.headers).filter(
          ([name]) => name.startsWith('ce-') || name === 'content-type',
        ),
      ) as Record<string, string>;
      const again = await fetch(sink, {
        method: 'POST',
        headers: { ...headers, 'ce-id': id },
        body: sent.body,
      });
      expect(again.status).toBe(202);
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await centralView(world, 'mug')).toEqual(before);
    expect(await disagreement(world, tally)).toBeDefined();

    await link.start();
    await centralCatchesUp(world, tally);

    const feedBytes = [...world.hybrid.regions.values()].reduce(
      (sum, system) => sum + (system.kafkaSinks.get('central-feed')?.bytes ?? 0),
      0,
    );
    const rawBytes = [...world.purchases.values()]
      .flatMap((subscriber) => subscriber.received)
      .reduce((sum, request) => sum + recordBytes(request), 0);
    const purchases = [...world.purchases.values()].reduce((n, s) => n + s.received.length, 0);
    expect(purchases).toBe(REGIONS.length * PURCHASES_PER_PHASE * 2);
    process.stdout.write(
      `central feed: ${feedBytes} bytes for ${rawBytes} bytes of ${purchases} raw purchase events (${((100 * feedBytes) / rawBytes).toFixed(1)}%)\n`,
    );
    expect(feedBytes / rawBytes).toBeLessThanOrEqual(0.1);
  }, 240_000);

  it('answers 400 naming the sku for a malformed one, and 404 for a sku no region reported', async () => {
    const bad = await centralView(world, 'no%20spaces');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/sku/);
    const unknown = await centralView(world, 'never-sold');
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(unknown.body)).toMatch(/never-sold/);
  });
});
