import type { Queryable } from '@eventline/eventstore';
import type { Transaction } from '@eventline/store';
import type { StateMachine } from '@eventline/workflow';

export interface StoredDefinition {
  name: string;
  version: number;
  definition: StateMachine;
}

/**
 * Stores a definition as the workflow's next version; the same definition as the latest is
 * that version again, so a PUT repeated answers what it answered.
 */
export async function putDefinition(
  tx: Transaction,
  name: string,
  definition: StateMachine,
): Promise<{ version: number; created: boolean }> {
  // Versions of one workflow are numbered one PUT at a time.
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('workflows.definitions'), hashtext($1))", [
    name,
  ]);
  // jsonb compares objects whatever their keys' order.
  const { rows } = await tx.query<{ version: number; same: boolean }>(
    `SELECT version, definition = $2::jsonb AS same FROM workflows.definitions WHERE name = $1
     ORDER BY version DESC LIMIT 1`,
    [name, JSON.stringify(definition)],
  );
  const latest = rows[0];
  if (latest?.same) return { version: latest.version, created: false };
  const version = (latest?.version ?? 0) + 1;
  await tx.query(
    'INSERT INTO workflows.definitions (name, version, definition) VALUES ($1, $2, $3)',
    [name, version, JSON.stringify(definition)],
  );
  return { version, created: true };
}

export async function latestDefinition(
  db: Queryable,
  name: string,
): Promise<StoredDefinition | undefined> {
  const { rows } = await db.query<StoredDefinition>(
    `SELECT name, version, definition FROM workflows.definitions WHERE name = $1
     ORDER BY version DESC LIMIT 1`,
    [name],
  );
  return rows[0];
}
