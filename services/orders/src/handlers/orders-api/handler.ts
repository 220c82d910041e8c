import { randomUUID } from 'node:crypto';
import { OrderPlaced } from '@eventline/events';
import {
  EventStore,
  parkedEvents,
  rebuildProjection,
  replayParkedEvent,
} from '@eventline/eventstore';
import {
  badInput,
  defineEdge,
  notFound,
  overloaded,
  unprocessable,
  type EdgeContext,
} from '@eventline/kit';
import { ordersConfig } from '../../config';
import { admission } from '../../domain/admission';
import { orderFingerprint, parsePlaceOrder } from '../../domain/order';
import { isTerminal, type OrderStatus } from '../../domain/saga';
import { catchUpOrderView, loadOrderView, orderViewProjection } from '../../order-view';
import { persistPlacedOrder } from '../../order-placement';
import { sagaStartRequests } from '../../saga-store';
import { placeOrderDecider } from './decider';
import { FlightGauge } from './flight-gauge';

/** A non-negative integer from a query or path parameter, or 400 naming it. */
function pageParameter(value: unknown, name: string, absent: number): number {
  if (value === undefined) return absent;
  const parsed = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed)) throw badInput(`${name} must be a non-negative integer`);
  return parsed;
}

/** Final views never change again, so only they are cached, for as long as memory allows. */
const FINAL_VIEW_TTL_SECONDS = 3600;

function orderRoutes(
  router: Parameters<NonNullable<Parameters<typeof defineEdge>[0]['routes']>>[0],
  { pool, transact, cache, log }: EdgeContext,
): void {
  const store = new EventStore(pool);
  const config = ordersConfig();
  const inFlight = new FlightGauge(pool, log, config.ORDERS_ADMISSION_SAMPLE_MS);
  const limits = {
    maxStepWaitMs: config.ORDERS_ADMISSION_MAX_STEP_WAIT_MS,
    minOpen: config.ORDERS_ADMISSION_MIN_OPEN,
  };

  router.post('/orders', async (req, res) => {
    const command = parsePlaceOrder(req.body);
    if ('error' in command) throw badInput(command.error);
    // Refused before anything is written: a retry with the same Idempotency-Key is a first try.
    const admitted = admission(inFlight.current(), limits);
    if (!admitted.admit) throw overloaded(admitted.reason, admitted.retryAfterSeconds);
    const placed = await transact(
      async (tx) => {
        // A new order id: there is no state to load.
        const [event] = placeOrderDecider.decide(
          {
            type: 'PlaceOrder',
            data: { ...command, orderId: randomUUID(), placedAt: new Date().toISOString() },
          },
          placeOrderDecider.initialState(),
        );
        const emit = await persistPlacedOrder(tx, store, event);
        return { result: { orderId: event.data.orderId }, emit };
      },
      { idempotencyKey: { req, fingerprint: orderFingerprint(command) } },
    );
    catchUpOrderView(pool, log);
    res.status(202).json(placed);
  });

  // Replay as a command: the view is rebuilt from the event store in one transaction, so readers
  // see the old view until the new one is complete.
  router.post('/orders/projections/order-view/rebuild', async (_req, res) => {
    const rebuilt = await rebuildProjection(store, orderViewProjection);
    res.json({
      projection: orderViewProjection.name,
      replayedEvents: rebuilt.events,
      position: rebuilt.position,
    });
  });

  // Events the view could not apply, with why; the view went on without them.
  router.get('/orders/projections/order-view/parked', async (req, res) => {
    const after = pageParameter(req.query.after, 'after', 0);
    const limit = pageParameter(req.query.limit, 'limit', 100);
    if (limit < 1 || limit > 500) throw badInput('limit must be an integer from 1 to 500');
    const parked = await parkedEvents(store, orderViewProjection.name, { after, limit });
    res.json({ parked, ...(parked.length === limit ? { next: parked.at(-1)!.position } : {}) });
  });

  // Once the cause is fixed (a new version of the view's code, a migration), one parked event
  // applied again: 404 when it is not parked, 422 with the reason when it still fails.
  router.post('/orders/projections/order-view/parked/:position/replay', async (req, res) => {
    const position = pageParameter(req.params.position, 'position', 0);
    let replayed: boolean;
    try {
      replayed = await replayParkedEvent(store, orderViewProjection, position);
    } catch (err) {
      throw unprocessable(`event ${position} still fails: ${(err as Error).message}`);
    }
    if (!replayed) throw notFound(`no parked event at ${position}`);
    res.json({ replayed: position });
  });

  router.get('/orders/:orderId', async (req, res) => {
    const orderId = req.params.orderId;
    const cached = await cache.getOrLoad(
      `orders:final:${orderId}`,
      FINAL_VIEW_TTL_SECONDS,
      async () => {
        const view = await loadOrderView(pool, orderId);
        return view && isTerminal(view.status as OrderStatus) ? view : undefined;
      },
    );
    const view = cached ?? (await loadOrderView(pool, orderId));
    if (!view) throw notFound(`no order ${orderId}`);
    res.json(view);
  });
}

/** The orders HTTP edge: commands in, the order status read model out. */
export const ordersApi = defineEdge({
  name: 'orders-api',
  emits: [OrderPlaced, ...sagaStartRequests],
  routes: orderRoutes,
});
