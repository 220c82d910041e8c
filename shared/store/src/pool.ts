import { createHash } from 'node:crypto';
import pg from 'pg';

export type Pool = pg.Pool;
export type Transaction = pg.PoolClient;

// bigint columns (global positions, sequences) come back as numbers: they stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * True when the server's connections share one session (the embedded PGlite's multiplexer): it
 * keeps a transaction's statements together but may interleave the protocol messages of queries
 * sent outside one, so such queries are wrapped in a transaction of their own.
 */
export function sharedSession(): boolean {
  return process.env.EVENTLINE_PG_SHARED_SESSION === 'true';
}

class TransactionPerQueryPool extends pg.Pool {
  // pg's overloads are not expressible in a subclass without `any`; the promise form is all we use.
  override query(...args: unknown[]): never {
    const [text, values] = args as [string | pg.QueryConfig, unknown[] | undefined];
    return inTransaction(this, (tx) => tx.query(text as string, values)) as never;
  }
}

const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `el_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Prepares every parameterized statement on first use per connection, named after its text, so
 * Postgres does not parse and plan it anew on every call as pg's default does (BENCHMARKS.md has
 * what that saves). Statements without parameters (BEGIN, COMMIT, DDL) stay unnamed; callers
 * that name a statement themselves keep their name.
 */
class PreparingClient extends pg.Client {
  // pg's overloads are not expressible in a subclass without `any`; the call is passed through.
  override query(...args: unknown[]): never {
    const [first, values] = args;
    const config = typeof first === 'string' ? { text: first } : (first as pg.QueryConfig);
    const params = Array.isArray(values) ? values : config?.values;
    const submittable = typeof (first as { submit?: unknown })?.submit === 'function';
    if (!submittable && typeof config?.text === 'string' && !config.name && params?.length) {
      args[0] = { ...config, name: statementName(config.text), values: params };
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

export function createPool(
  connectionString: string,
  options: { max?: number; name?: string } = {},
): Pool {
  const PoolClass = sharedSession() ? TransactionPerQueryPool : pg.Pool;
  const pool = new PoolClass({
    connectionString,
    // One session shared by every connection (PGlite) cannot hold a name per connection.
    Client: sharedSession() ? pg.Client : PreparingClient,
    max: options.max ?? 10,
    application_name: options.name ?? 'eventline',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // A checked-out client whose connection the server ends (a restart, a failover) emits 'error'
  // besides failing its query: the query's caller hears the failure and the pool drops the
  // client on release, while the unheard event would end the process.
  pool.on('connect', (client) => client.on('error', () => undefined));
  // pg-pool's end() resolves before its clients' sockets close, so a server ending those sessions
  // just then (a database dropped WITH (FORCE), a restart) reaches the pool as an idle client's
  // error after its owner has finished with it. The pool has already dropped that client; owners
  // that want to hear about it add their own listener.
  pool.on('error', () => undefined);
  return pool;
}

/** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
export function inTransaction<T>(pool: Pool, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return inSelfCommittingTransaction(pool, async (tx) => {
    const result = await work(tx);
    await tx.query('COMMIT');
    return result;
  });
}

const committedWork = new WeakMap<Transaction, Array<() => void>>();

/**
 * Runs `done` once the transaction `tx` has committed, and never if it rolls back: for what must
 * count only work that happened (a metric), not work a redelivery will do again.
 */
export function onCommit(tx: Transaction, done: () => void): void {
  const waiting = committedWork.get(tx);
  if (waiting) waiting.push(done);
  else committedWork.set(tx, [done]);
}

/**
 * Runs `work` in one transaction that `work` commits itself, so that its last statement and the
 * COMMIT can share a round trip (see commitWithOutbox); rolled back when it throws.
 */
export async function inSelfCommittingTransaction<T>(
  pool: Pool,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  const tx = await pool.connect();
  try {
    await tx.query('BEGIN');
    const result = await work(tx);
    const committed = committedWork.get(tx);
    if (committed) {
      committedWork.delete(tx);
      for (const done of committed) done();
    }
    return result;
  } catch (err) {
    committedWork.delete(tx);
    await tx.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    tx.release();
  }
}

const RETRYABLE_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
]);

/** Postgres errors that a retry of the same transaction can cure. */
export function isRetryableDatabaseError(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  return code !== undefined && RETRYABLE_SQLSTATES.has(code);
}

/** Connection-level failures (server down, restarting): transient, worth a retry later. */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code ?? '';
  return (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      '57P01',
      '57P02',
      '57P03',
      '08000',
      '08003',
      '08006',
    ].includes(code) ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(
      (err as Error | undefined)?.message ?? '',
    )
  );
}
