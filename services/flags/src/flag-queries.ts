import type { Pool, Transaction } from '@eventline/store';
import type { FlagView } from './domain/flag';

export const FLAG_CACHE_TTL_SECONDS = 60;
export const cacheKeys = { flag: (key: string) => `flags:${key}` };

const VIEW_COLUMNS = `key, enabled, version, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"`;

export async function loadFlag(
  db: Pool | Transaction,
  key: string,
  lock = false,
): Promise<FlagView | undefined> {
  const { rows } = await db.query<FlagView>(
    `SELECT ${VIEW_COLUMNS} FROM flags.flags WHERE key = $1${lock ? ' FOR UPDATE' : ''}`,
    [key],
  );
  return rows[0];
}

export async function listFlags(db: Pool): Promise<FlagView[]> {
  const { rows } = await db.query<FlagView>(`SELECT ${VIEW_COLUMNS} FROM flags.flags ORDER BY key`);
  return rows;
}
