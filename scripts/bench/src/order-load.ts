import http from 'node:http';
import type { Pool } from '@eventline/store';
import { offerLoad, summarize, type LatencySummary } from './latency';

/** What an open-loop run of requests was answered: accepted, and refused by status or error. */
export interface Answers {
  accepted: number;
  /** requests not accepted, by HTTP status or error code (429: shed by admission control) */
  refused: Record<string, number>;
  windowMs: number;
}

/**
 * POSTs `body(i)` as JSON to `url(i)` at `rate` per second for `seconds` (see offerLoad),
 * counting the answers whose status `accepts` and the rest by status or error code.
 */
export async function postAtRate(
  agent: http.Agent,
  rate: number,
  seconds: number,
  url: (i: number) => string,
  body: (i: number) => unknown,
  accepts: (status: number) => boolean,
): Promise<Answers> {
  let accepted = 0;
  let answered = 0;
  const refused: Record<string, number> = {};
  const refuse = (why: string) => (refused[why] = (refused[why] ?? 0) + 1);
  const windowMs = await offerLoad(
    rate,
    seconds,
    (i) => {
      const request = http.request(url(i), {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json' },
      });
      request.on('response', (response) => {
        if (accepts(response.statusCode ?? 0)) accepted += 1;
        else refuse(String(response.statusCode));
        answered += 1;
        response.resume();
      });
      request.on('error', (err: NodeJS.ErrnoException) => {
        refuse(err.code ?? 'error');
        answered += 1;
      });
      request.end(JSON.stringify(body(i)));
    },
    () => answered,
  );
  return { accepted, refused, windowMs };
}

/**
 * The orders of a view that reached a terminal status, by status, and their placed → terminal
 * latency as the view recorded it (`placed_at` → `updated_at`), so polling does not distort it.
 * `where` selects the batch's rows.
 */
export async function settledOrders(
  pool: Pool,
  view: string,
  where: string,
  windowMs: number,
): Promise<{ statuses: Record<string, number>; placeToTerminal: LatencySummary }> {
  const { rows } = await pool.query<{ status: string; latency_ms: number }>(
    `SELECT status, EXTRACT(EPOCH FROM (updated_at - placed_at)) * 1000 AS latency_ms
       FROM ${view} WHERE status <> 'PENDING' AND ${where}`,
  );
  const statuses: Record<string, number> = {};
  for (const row of rows) statuses[row.status] = (statuses[row.status] ?? 0) + 1;
  return {
    statuses,
    placeToTerminal: summarize(
      rows.map((r) => Number(r.latency_ms)),
      windowMs,
    ),
  };
}
