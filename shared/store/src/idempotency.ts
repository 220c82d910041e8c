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
