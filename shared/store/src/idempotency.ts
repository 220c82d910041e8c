import type { QueryResult } from 'pg';
import type { Transaction } from './pool';

export type Claim<Reply> = { firstDelivery: true } | { firstDelivery: false; reply: Reply | null };

/**
 * Opens a transaction on `tx` and claims an event for a consumer in it. A concurrent duplicate
 * blocks on the primary key until the first transaction ends, then sees its committed record: so
 * two deliveries of one event never both apply, and the later one gets the first one's reply.
 * BEGIN and the claim share one round trip (a simple-protocol query with escaped literals), as
 * the outbox rows and COMMIT do at the other end (commitWithOutbox).
 */
export async function beginAndClaim<Reply>(
  tx: Transaction,
  consumer: string,
  source: string,
  id: string,
): Promise<Claim<Reply>> {
  const values = [consumer, source, id].map((value) => tx.escapeLiteral(value)).join(', ');
  const [, inserted] = (await tx.query(
    `BEGIN; INSERT INTO eventline.processed_events (consumer, source, id) VALUES (${values})
     ON CONFLICT DO NOTHING`,
  )) as unknown as [QueryResult, QueryResult];
  if (inserted.rowCount === 1) return { firstDelivery: true };
  const { rows } = await tx.query<{ reply: Reply | null }>(
    'SELECT reply FROM eventline.processed_events WHERE consumer = $1 AND source = $2 AND id = $3',
    [consumer, source, id],
  );
  return { firstDelivery: false, reply: rows[0]?.reply ?? null };
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
