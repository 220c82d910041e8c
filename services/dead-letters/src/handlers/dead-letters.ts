import {
  ANY_EVENT,
  badInput,
  conflict,
  defineHandler,
  notFound,
  type EdgeContext,
} from '@eventline/kit';
import type { Router } from 'express';
import { letterDeliveryId, originalEvent, parseLetterQuery, reasonOf } from '../domain/dead-letter';

interface LetterRow {
  letterId: number;
  type: string;
  event: Record<string, unknown>;
  destination: string | null;
  status: number | null;
  response: string | null;
  receivedAt: string;
  replayedAt: string | null;
}

const LETTER_COLUMNS = `letter_id AS "letterId", event_type AS type, event, destination, status, response,
  received_at AS "receivedAt", replayed_at AS "replayedAt"`;

function replayRoutes(router: Router, { pool, transact }: EdgeContext): void {
  router.get('/dead-letters', async (req, res) => {
    const query = parseLetterQuery(req.query);
    if ('error' in query) throw badInput(query.error);
    const { rows } = await pool.query<LetterRow>(
      `SELECT ${LETTER_COLUMNS} FROM dead_letters.letters
       WHERE letter_id > $1 ${query.pendingOnly ? 'AND replayed_at IS NULL' : ''}
       ORDER BY letter_id LIMIT $2`,
      [query.after, query.limit + 1],
    );
    const letters = rows.slice(0, query.limit);
    // `next` is where the following page starts: absent on the last page
    const next = rows.length > query.limit ? letters.at(-1)?.letterId : undefined;
    res.json({ letters, next });
  });

  router.post('/dead-letters/:letterId/replay', async (req, res) => {
    const letterId = Number(req.params.letterId);
    const replayed = await transact(async (tx) => {
      const { rows } = await tx.query<{ event: Record<string, unknown>; replayedAt: Date | null }>(
        `SELECT event, replayed_at AS "replayedAt" FROM dead_letters.letters WHERE letter_id = $1 FOR UPDATE`,
        [Number.isInteger(letterId) ? letterId : -1],
      );
      const row = rows[0];
      if (!row) throw notFound(`no dead letter ${req.params.letterId}`);
      // A second replay would publish the event again and, if it still fails, file a second letter
      // for the one failure: a letter is replayed once, and a failed replay files a new one.
      if (row.replayedAt)
        throw conflict(
          `dead letter ${letterId} was already replayed at ${row.replayedAt.toISOString()}`,
        );
      await tx.query(`UPDATE dead_letters.letters SET replayed_at = now() WHERE letter_id = $1`, [
        letterId,
      ]);
      // If the replay fails again, its new dead letter must be stored, not taken for a duplicate.
      await tx.query(
        `DELETE FROM eventline.processed_events WHERE consumer = 'dead-letters' AND source = $1 AND id = $2`,
        [row.event.source, letterDeliveryId(row.event)],
      );
      // The same id and source again: the handler that failed never recorded the event, and a
      // handler that did meanwhile treats the replay as the duplicate it is.
      return { result: row.event, forward: [originalEvent(row.event)] };
    });
    res
      .status(202)
      .json({ replayed: { id: replayed.id, source: replayed.source, type: replayed.type } });
  });
}

/** The dead-letter sink: stores each undeliverable event with why, and replays it on request. */
export const deadLetters = defineHandler({
  name: 'dead-letters',
  accepts: ANY_EVENT,
  emits: [ANY_EVENT],
  deliveryId: (event) => letterDeliveryId(event.toJSON() as Record<string, unknown>),
  async handle(_data, { tx, event, log }) {
    const attributes = event.toJSON() as Record<string, unknown>;
    const reason = reasonOf(attributes);
    await tx.query(
      `INSERT INTO dead_letters.letters (event_source, event_id, event_type, event, destination, status, response)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        event.source,
        event.id,
        event.type,
        JSON.stringify(attributes),
        reason.destination,
        reason.status,
        reason.response,
      ],
    );
    log.warn({ destination: reason.destination, status: reason.status }, 'dead letter stored');
  },
  routes: replayRoutes,
});
