import { redisScript, type Cache } from '@eventline/cache';
import { transient } from '@eventline/kit';
import type { Pool, Transaction } from '@eventline/store';
import { cartTotal, type Cart } from './domain/cart';

/**
 * Cart sessions live in Redis, one key per cart holding `<version>|<JSON>`, with a TTL renewed
 * by every use. Postgres keeps only an index of the sessions (cart_sessions: last version, items
 * and when it expires) for the abandonment job: an expired key is gone, so Redis alone cannot
 * say which carts were left behind.
 */
const key = (cartId: string) => `carts:${cartId}`;

/** Reads a cart and renews its TTL (ARGV: ttl in ms); nil when absent. */
const READ = redisScript(`
local stored = redis.call('GET', KEYS[1])
if stored then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return stored`);

/**
 * Writes a cart only if it is still at the version its writer read (ARGV: expected version, the
 * new value or '' to delete, ttl in ms). Returns -1 when written, else the version it is at.
 */
const WRITE_IF_VERSION = redisScript(`
local stored = redis.call('GET', KEYS[1])
local version = 0
if stored then version = tonumber(string.match(stored, '^(%d+)|')) end
if version ~= tonumber(ARGV[1]) then return version end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return -1`);

const REMAINING = redisScript(`return redis.call('PTTL', KEYS[1])`);

const UNAVAILABLE = 'cart sessions live in Redis, which is unavailable; nothing was changed';

/** Another change to the cart committed between this change's read and its write. */
export class CartVersionConflict extends Error {
  constructor(
    readonly cartId: string,
    readonly version: number,
  ) {
    super(`cart ${cartId} is at version ${version}`);
  }
}

export class CartSessions {
  constructor(
    private readonly cache: Cache,
    private readonly ttlSeconds: number,
  ) {}

  /** The cart, undefined when it has no session; 503 when Redis cannot answer. */
  async read(cartId: string): Promise<Cart | undefined> {
    const stored = await this.cache.script(READ, [key(cartId)], [this.ttlSeconds * 1000]);
    if (stored === undefined) throw transient(UNAVAILABLE);
    // A nil reply is null from Redis, false from the embedded stand-in.
    if (stored === null || stored === false) return undefined;
    const text = String(stored);
    const bar = text.indexOf('|');
    const { items, updatedAt } = JSON.parse(text.slice(bar + 1)) as Pick<
      Cart,
      'items' | 'updatedAt'
    >;
    return { cartId, items, updatedAt, version: Number(text.slice(0, bar)) };
  }

  /**
   * Stores `cart` if the session is still at `readVersion`; an empty cart ends the session.
   * Throws CartVersionConflict when another change came first, 503 when Redis cannot answer.
   */
  async write(cart: Cart, readVersion: number): Promise<void> {
    const value =
      cart.items.length === 0
        ? ''
        : `${cart.version}|${JSON.stringify({ items: cart.items, updatedAt: cart.updatedAt })}`;
    const answer = await this.cache.script(
      WRITE_IF_VERSION,
      [key(cart.cartId)],
      [readVersion, value, this.ttlSeconds * 1000],
    );
    if (answer === undefined) throw transient(UNAVAILABLE);
    if (Number(answer) !== -1) throw new CartVersionConflict(cart.cartId, Number(answer));
  }

  /** Milliseconds the session has left: -2 when it expired; undefined when Redis cannot answer. */
  async remainingMs(cartId: string): Promise<number | undefined> {
    const answer = await this.cache.script(REMAINING, [key(cartId)], []);
    return answer === undefined ? undefined : Number(answer);
  }
}

/** Records in the session index what the cart now holds and when its session runs out. */
export async function indexSession(tx: Transaction, cart: Cart, ttlSeconds: number): Promise<void> {
  if (cart.items.length === 0) {
    await tx.query('DELETE FROM retail.cart_sessions WHERE cart_id = $1', [cart.cartId]);
    return;
  }
  await tx.query(
    `INSERT INTO retail.cart_sessions (cart_id, version, items, total, updated_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
     ON CONFLICT (cart_id) DO UPDATE SET version = EXCLUDED.version, items = EXCLUDED.items,
       total = EXCLUDED.total, updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at`,
    [
      cart.cartId,
      cart.version,
      JSON.stringify(cart.items),
      cartTotal(cart.items),
      cart.updatedAt,
      ttlSeconds,
    ],
  );
}

export interface IndexedSession {
  cartId: string;
  version: number;
  items: Cart['items'];
  total: number;
  updatedAt: string;
}

/** Sessions the index says may have run out, oldest first. */
export async function sessionsDue(pool: Pool, limit: number): Promise<IndexedSession[]> {
  const { rows } = await pool.query<IndexedSession>(
    `SELECT cart_id AS "cartId", version, items, total::float8 AS total,
            to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"
       FROM retail.cart_sessions WHERE expires_at <= now() ORDER BY expires_at LIMIT $1`,
    [limit],
  );
  return rows;
}
