import type { Queryable } from './event-store';
import { statement } from './statements';

export interface Snapshot {
  streamId: string;
  version: number;
  revision: number;
  state: unknown;
}

export async function readSnapshot(db: Queryable, streamId: string): Promise<Snapshot | undefined> {
  const { rows } = await db.query<{ version: number; revision: number; state: unknown }>(
    statement(
      'eventstore.read_snapshot',
      'SELECT version, revision, state FROM eventstore.snapshots WHERE stream_id = $1',
      [streamId],
    ),
  );
  const row = rows[0];
  if (!row) return undefined;
  return { streamId, version: Number(row.version), revision: row.revision, state: row.state };
}

/** Keeps the newest snapshot per stream: an older one arriving late never replaces it. */
export async function writeSnapshot(db: Queryable, snapshot: Snapshot): Promise<void> {
  await db.query(
    statement(
      'eventstore.write_snapshot',
      `INSERT INTO eventstore.snapshots (stream_id, version, revision, state)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (stream_id) DO UPDATE
             SET version = excluded.version, revision = excluded.revision,
                 state = excluded.state, taken_at = now()
             WHERE snapshots.version < excluded.version OR snapshots.revision <> excluded.revision`,
      [snapshot.streamId, snapshot.version, snapshot.revision, JSON.stringify(snapshot.state)],
    ),
  );
}
