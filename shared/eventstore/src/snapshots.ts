import type { Queryable } from './event-store';

export interface Snapshot {
  streamId: string;
  version: number;
  revision: number;
  state: unknown;
}

export async function readSnapshot(db: Queryable, streamId: string): Promise<Snapshot | undefined> {
  const { rows } = await db.query<{ version: number; revision: number; state: unknown }>({
    name: 'eventstore.read_snapshot',
    text: 'SELECT version, revision, state FROM eventstore.snapshots WHERE stream_id = $1',
    values: [streamId],
  });
  const row = rows[0];
  if (!row) return undefined;
  return { streamId, version: Number(row.version), revision: row.revision, state: row.state };
}

/** Keeps the newest snapshot per stream: an older one arriving late never replaces it. */
export async function writeSnapshot(db: Queryable, snapshot: Snapshot): Promise<void> {
  await db.query({
    name: 'eventstore.write_snapshot',
    text: `INSERT INTO eventstore.snapshots (stream_id, version, revision, state)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (stream_id) DO UPDATE
             SET version = excluded.version, revision = excluded.revision,
                 state = excluded.state, taken_at = now()
             WHERE snapshots.version < excluded.version OR snapshots.revision <> excluded.revision`,
    values: [
      snapshot.streamId,
      snapshot.version,
      snapshot.revision,
      JSON.stringify(snapshot.state),
    ],
  });
}
