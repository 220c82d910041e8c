import type { Transaction } from './pool';

export type Claim<Reply> = { firstDelivery: true } | { firstDelivery: false; reply: Reply | null };

/**
 * Claims an event for a consumer inside the caller's transaction. A concurrent duplicate blocks
 * on the primary key until the first transaction ends, then sees its committed record: so two
 * deliveries of one event never both apply, and the later one gets the first one's reply.
 */
export async function claimEvent<Reply>(
  tx: Transaction,
  consumer: string,
  source: string,
  id: string,
): Promise<Claim<Reply>> {
  const inserted = await tx.query(
    `INSERT INTO eventline.processed_events (consumer, source, id) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING`,
    [consumer, source, id],
  );
  if (inserted.rowCount === 1) return { firstDelivery: true };
  const { rows } = await tx.query<{ reply: Reply | null }>(
    'SELECT reply FROM eventline.processed_events WHERE consumer = $1 AND source = $2 AND id = $3',
    [consumer, source, id],
  );
  return { firstDelivery: false, reply: rows[0]?.reply ?? null };
}

export type KeyClaim<Answer> =
  { firstUse: true } | { firstUse: false; request: string; answer: Answer };

/**
 * Claims an Idempotency-Key for a consumer inside the caller's transaction, recording the digest
 * of the request it is used for. As with claimEvent, a concurrent request with the same key blocks
 * on the primary key until the first transaction ends: after a commit it sees the first request's
 * digest and answer (written by commitWithOutbox in that commit), after a rollback it claims the
 * key itself. So exactly one request with a key does the work.
 */
export async function claimIdempotencyKey<Answer>(
  tx: Transaction,
  consumer: string,
  key: string,
  request: string,
): Promise<KeyClaim<Answer>> {
  const inserted = await tx.query(
    `INSERT INTO eventline.idempotency_keys (consumer, key, request) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING`,
    [consumer, key, request],
  );
  if (inserted.rowCount === 1) return { firstUse: true };
  const { rows } = await tx.query<{ request: string; answer: Answer }>(
    'SELECT request, answer FROM eventline.idempotency_keys WHERE consumer = $1 AND key = $2',
    [consumer, key],
  );
  const claimed = rows[0] as { request: string; answer: Answer };
  return { firstUse: false, request: claimed.request, answer: claimed.answer };
}

/** Forgets idempotency records older than the broker could still redeliver. */
export async function pruneProcessedEvents(
  tx: Transaction,
  olderThanHours: number,
): Promise<number> {
  const { rowCount } = await tx.query(
    `DELETE FROM eventline.processed_events WHERE processed_at < now() - make_interval(hours => $1)`,
    [olderThanHours],
  );
  return rowCount ?? 0;
}

/** Forgets Idempotency-Key claims older than the window: a client retrying later gets no match. */
export async function pruneIdempotencyKeys(
  tx: Transaction,
  olderThanHours: number,
): Promise<number> {
  const { rowCount } = await tx.query(
    `DELETE FROM eventline.idempotency_keys WHERE claimed_at < now() - make_interval(hours => $1)`,
    [olderThanHours],
  );
  return rowCount ?? 0;
}
