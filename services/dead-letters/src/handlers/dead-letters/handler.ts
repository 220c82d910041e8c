import { ANY_EVENT, badInput, defineHandler, notFound, type EdgeContext } from '@eventline/kit';
import type { Transaction } from '@eventline/store';
import { instruments } from '@eventline/telemetry';
import type { Router } from 'express';
import { letterDeliveryId, parseLetterId, parseLetterQuery } from '../../domain/dead-letter';
import { fileLetter, replayLetter, type LetterEvent, type LetterState } from './decider';

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

const replayCounter = instruments((meter) =>
  meter.createCounter('eventline.dead_letters.replayed', {
    description: 'Dead letters replayed, by event type',
    unit: '{event}',
  }),
);

/** A letter, locked so that two replays of it at once take turns. */
async function lockLetter(tx: Transaction, letterId: number): Promise<LetterState> {
  const { rows } = await tx.query<{ event: Record<string, unknown>; replayedAt: Date | null }>(
    `SELECT event, replayed_at AS "replayedAt" FROM dead_letters.letters WHERE letter_id = $1 FOR UPDATE`,
    [letterId],
  );
  const row = rows[0];
  return row ? { event: row.event, replayedAt: row.replayedAt?.toISOString() ?? null } : null;
}

async function persistLetters(tx: Transaction, events: LetterEvent[]): Promise<void> {
  for (const event of events) {
    if (event.type === 'LetterFiled') {
      const { event: letter, reason } = event.data;
      await tx.query(
        `INSERT INTO dead_letters.letters (event_source, event_id, event_type, event, destination, status, response)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          letter.source,
          letter.id,
          letter.type,
          JSON.stringify(letter),
          reason.destination,
          reason.status,
          reason.response,
        ],
      );
      continue;
    }
    const { letterId, at, original, deliveryId } = event.data;
    await tx.query(`UPDATE dead_letters.letters SET replayed_at = $2 WHERE letter_id = $1`, [
      letterId,
      at,
    ]);
    // If the replay fails again, its new dead letter must be stored, not taken for a duplicate.
    await tx.query(
      `DELETE FROM eventline.processed_events WHERE consumer = 'dead-letters' AND source = $1 AND id = $2`,
      [original.source, deliveryId],
    );
  }
}

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

  router.get('/dead-letters/:letterId', async (req, res) => {
    const letterId = parseLetterId(req.params.letterId);
    if (typeof letterId !== 'number') throw badInput(letterId.error);
    const { rows } = await pool.query<LetterRow>(
      `SELECT ${LETTER_COLUMNS} FROM dead_letters.letters WHERE letter_id = $1`,
      [letterId],
    );
    if (!rows[0]) throw notFound(`no dead letter ${letterId}`);
    res.json(rows[0]);
  });

  router.post('/dead-letters/:letterId/replay', async (req, res) => {
    const letterId = parseLetterId(req.params.letterId);
    if (typeof letterId !== 'number') throw badInput(letterId.error);
    const replayed = await transact(async (tx) => {
      const letter = await lockLetter(tx, letterId);
      const events = replayLetter(
        { type: 'ReplayLetter', data: { letterId, at: new Date().toISOString() } },
        letter,
      );
      await persistLetters(tx, events);
      // The same id and source again: the handler that failed never recorded the event, and a
      // handler that did meanwhile treats the replay as the duplicate it is.
      const [{ data }] = events;
      const { id, source, type } = data.original;
      return { result: { id, source, type }, forward: [data.original] };
    });
    replayCounter().add(1, { type: String(replayed.type) });
    res.status(202).json({ replayed });
  });
}

/** The dead-letter sink: stores each undeliverable event with why, and replays it on request. */
export const deadLetters = defineHandler({
  name: 'dead-letters',
  accepts: ANY_EVENT,
  emits: [ANY_EVENT],
  deliveryId: (event) => letterDeliveryId(event.toJSON() as Record<string, unknown>),
  async handle(_data, { tx, event, log }) {
    const events = fileLetter({
      type: 'FileLetter',
      data: { event: event.toJSON() as Record<string, unknown> },
    });
    await persistLetters(tx, events);
    const [{ data }] = events;
    log.warn(
      { destination: data.reason.destination, status: data.reason.status },
      'dead letter stored',
    );
  },
  routes: replayRoutes,
});
