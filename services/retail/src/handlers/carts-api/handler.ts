import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Request } from 'express';
import { CartCheckedOut, CartUpdated } from '@eventline/events';
import {
  badInput,
  conflict,
  defineEdge,
  notFound,
  outgoing,
  type EdgeContext,
  type OutgoingEvent,
} from '@eventline/kit';
import { CartSessions, CartVersionConflict, indexSession } from '../../cart-sessions';
import { retailConfig } from '../../config';
import {
  cartTotal,
  emptyCart,
  parseAddItem,
  parseCartId,
  parseCheckout,
  parseSku,
  type Cart,
} from '../../domain/cart';
import { cartDecider, type CartCommand, type CartEvent } from './decider';

const cartView = ({ cartId, items, version }: Cart) => ({
  cartId,
  items,
  total: cartTotal(items),
  version,
});

function valid<T>(parsed: T | { error: string }): T {
  if (typeof parsed === 'object' && parsed !== null && 'error' in parsed)
    throw badInput(parsed.error);
  return parsed as T;
}

/** The version the client read, from If-Match: a change to a cart that moved on since is a 409. */
function expectedVersion(req: Request): number | undefined {
  const header = req.get('if-match');
  if (header === undefined) return undefined;
  const version = /^"?(\d{1,10})"?$/.exec(header.trim())?.[1];
  if (version === undefined) throw badInput('If-Match must be a cart version, e.g. "3"');
  return Number(version);
}

function cartRoutes(
  router: Parameters<NonNullable<Parameters<typeof defineEdge>[0]['routes']>>[0],
  { transact, cache }: EdgeContext,
): void {
  const config = retailConfig();
  const sessions = new CartSessions(cache, config.CART_TTL_SECONDS);

  /**
   * Reads the cart, decides, and writes it back only if it is still at the version read; when
   * another change came first, the whole change runs again on the newer cart, so concurrent
   * changes never lose one another. The session index and the events commit with the Redis
   * write as the transaction's last step: Redis refusing rolls everything back.
   */
  async function changeCart<T>(
    req: Request,
    cartId: string,
    command: CartCommand,
    outcome: (cart: Cart, events: CartEvent[]) => { result: T; emit: OutgoingEvent[] },
  ): Promise<T> {
    const ifMatch = expectedVersion(req);
    for (let attempt = 1; ; attempt++) {
      try {
        return await transact(
          async (tx) => {
            const cart = (await sessions.read(cartId)) ?? emptyCart(cartId);
            if (ifMatch !== undefined && ifMatch !== cart.version)
              throw conflict(`cart ${cartId} is at version ${cart.version}, not ${ifMatch}`);
            const events = cartDecider.decide(command, cart);
            const next = events.reduce(cartDecider.evolve, cart);
            await indexSession(tx, next, config.CART_TTL_SECONDS);
            await sessions.write(next, cart.version);
            return outcome(next, events);
          },
          { idempotencyKey: { req } },
        );
      } catch (err) {
        if (!(err instanceof CartVersionConflict)) throw err;
        if (ifMatch !== undefined || attempt >= config.CART_UPDATE_ATTEMPTS)
          throw conflict(`${err.message}; read it again and retry`);
        // Jitter, so the changes that collided do not collide again.
        await sleep(Math.random() * 5 * attempt);
      }
    }
  }

  const updated = (cart: Cart) => ({
    result: cartView(cart),
    emit: [
      outgoing(
        CartUpdated,
        { ...cartView(cart), updatedAt: cart.updatedAt },
        { partitionkey: cart.cartId },
      ),
    ],
  });

  router.post('/carts/:cartId/items', async (req, res) => {
    const { cartId, ...line } = valid(parseAddItem(req.params.cartId, req.body));
    const at = new Date().toISOString();
    res.json(
      await changeCart(req, cartId, { type: 'AddItem', data: { cartId, ...line, at } }, updated),
    );
  });

  router.delete('/carts/:cartId/items/:sku', async (req, res) => {
    const cartId = valid(parseCartId(req.params.cartId));
    const sku = valid(parseSku(req.params.sku));
    const at = new Date().toISOString();
    res.json(
      await changeCart(req, cartId, { type: 'RemoveItem', data: { cartId, sku, at } }, updated),
    );
  });

  router.post('/carts/:cartId/checkout', async (req, res) => {
    const cartId = valid(parseCartId(req.params.cartId));
    const checkout = valid(parseCheckout(req.body));
    const data = { cartId, ...checkout, orderId: randomUUID(), at: new Date().toISOString() };
    const placed = await changeCart(req, cartId, { type: 'CheckOut', data }, (_cart, events) => {
      const checkedOut = events.find((e) => e.type === 'CartCheckedOut') as Extract<
        CartEvent,
        { type: 'CartCheckedOut' }
      >;
      const { at, ...order } = checkedOut.data;
      return {
        result: { cartId, orderId: order.orderId },
        emit: [
          outgoing(
            CartCheckedOut,
            { cartId, ...order, checkedOutAt: at },
            { partitionkey: order.orderId },
          ),
        ],
      };
    });
    res.status(202).json(placed);
  });

  router.get('/carts/:cartId', async (req, res) => {
    const cartId = valid(parseCartId(req.params.cartId));
    const cart = await sessions.read(cartId);
    if (!cart) throw notFound(`no cart ${cartId}: it was never filled, expired or checked out`);
    res.json(cartView(cart));
  });
}

/**
 * The shopping cart HTTP edge: cart state is Redis session state; each change is announced as
 * CartUpdated, and a checkout hands the cart to the orders service as CartCheckedOut.
 */
export const cartsApi = defineEdge({
  name: 'carts-api',
  emits: [CartUpdated, CartCheckedOut],
  routes: cartRoutes,
  state: 'redis',
});
