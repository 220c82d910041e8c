import type { Pool } from '@eventline/store';

/** One statement's work in a database over a measured window, from pg_stat_statements. */
export interface StatementWork {
  query: string;
  calls: number;
  totalMs: number;
  rows: number;
}

type Snapshot = Map<string, StatementWork>;

/**
 * Snapshots pg_stat_statements for one database. Undefined when the server does not load the
 * extension (a Postgres from a URL, not the one `npm run servers` starts): the report says so
 * instead of failing the bench.
 */
export async function statementSnapshot(
  pool: Pool,
  database: string,
): Promise<Snapshot | undefined> {
  try {
    const { rows } = await pool.query<{
      key: string;
      query: string;
      calls: string;
      total_ms: number;
      rows: string;
    }>(
      `SELECT s.queryid::text || ':' || s.userid::text || ':' || s.toplevel::text AS key, s.query,
              s.calls, s.total_exec_time AS total_ms, s.rows
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = $1`,
      [database],
    );
    return new Map(
      rows.map((r) => [
        r.key,
        { query: r.query, calls: Number(r.calls), totalMs: r.total_ms, rows: Number(r.rows) },
      ]),
    );
  } catch {
    return undefined;
  }
}

/** What each statement did between two snapshots, heaviest first by execution time. */
export function statementWorkBetween(before: Snapshot, after: Snapshot): StatementWork[] {
  const work: StatementWork[] = [];
  for (const [key, now] of after) {
    const then = before.get(key);
    const calls = now.calls - (then?.calls ?? 0);
    if (calls <= 0) continue;
    work.push({
      query: now.query,
      calls,
      totalMs: now.totalMs - (then?.totalMs ?? 0),
      rows: now.rows - (then?.rows ?? 0),
    });
  }
  return work.sort((a, b) => b.totalMs - a.totalMs);
}

const oneLine = (query: string, width: number) => {
  const flat = query.replace(/\s+/g, ' ').trim().replaceAll('|', '\\|');
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
};

/** A report's table of statement work per unit, the heaviest `limit` statements. */
export function statementTableRows(
  work: StatementWork[],
  units: number,
  unit: string,
  limit = 12,
): string[] {
  const perUnit = (n: number) => n / Math.max(units, 1);
  const totalMs = work.reduce((sum, w) => sum + w.totalMs, 0);
  const totalCalls = work.reduce((sum, w) => sum + w.calls, 0);
  return [
    `| statement | calls per ${unit} | execution per ${unit} | rows per ${unit} | share |`,
    '|---|---|---|---|---|',
    ...work
      .slice(0, limit)
      .map(
        (w) =>
          `| \`${oneLine(w.query, 90)}\` | ${perUnit(w.calls).toFixed(2)} | ${(1000 * perUnit(w.totalMs)).toFixed(0)} µs | ${perUnit(w.rows).toFixed(2)} | ${((100 * w.totalMs) / Math.max(totalMs, 1e-9)).toFixed(0)}% |`,
      ),
    `| **all ${work.length} statements** | **${perUnit(totalCalls).toFixed(1)}** | **${(1000 * perUnit(totalMs)).toFixed(0)} µs** | | |`,
  ];
}
