import {
  routingWithHandFiredJobs,
  startOrdersWorld,
  type OrdersWorld,
} from '../orders/orders-system';
import { RecordingSubscriber } from '../support/recording-subscriber';

export interface RetailWorld extends OrdersWorld {
  /** what reached a trigger on each type this world was asked to record */
  recorded: RecordingSubscriber;
  url(path: string): string;
}

/**
 * The orders world (every handler its own OS process, on real servers) with jobs fired by hand;
 * a recording trigger receives the types named in `record`.
 */
export async function startRetailWorld(
  options: { env?: NodeJS.ProcessEnv; record?: string[] } = {},
): Promise<RetailWorld> {
  const world = await startOrdersWorld({ env: options.env, routing: routingWithHandFiredJobs() });
  const recorded = await new RecordingSubscriber().start();
  for (const [i, type] of (options.record ?? []).entries())
    await world.system.broker.addTrigger({
      name: `test-record-${i}`,
      subscriber: recorded.url,
      filter: { attributes: { type } },
      delivery: { retry: 3, backoffPolicy: 'linear', backoffDelay: 'PT0.1S' },
      ordered: false,
    });
  return {
    ...world,
    recorded,
    url: (path) => `${world.system.edgeUrl}${path}`,
    stop: async () => {
      await world.stop();
      await recorded.stop();
    },
  };
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export async function request(
  world: RetailWorld,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(world.url(path), {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

export async function setStock(world: RetailWorld, sku: string, available: number): Promise<void> {
  const answer = await request(world, 'PUT', `/inventory/${sku}`, { available });
  if (answer.status !== 200) throw new Error(`set stock: ${answer.status}`);
}
