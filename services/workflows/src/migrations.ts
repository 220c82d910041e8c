import type { Migration } from '@eventline/store';

export const workflowsMigrations: Migration[] = [
  {
    id: '001_definitions_and_executions',
    sql: `
      CREATE TABLE definitions (
        name text NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        definition jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (name, version)
      );
      -- One row per execution, locked by every decision on it: the stream in the event store
      -- is the execution's history, this row orders the decisions and finds the due ones.
      CREATE TABLE executions (
        execution_id text PRIMARY KEY,
        workflow text NOT NULL,
        version integer NOT NULL,
        status text NOT NULL,
        next_due_at timestamptz,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (workflow, version) REFERENCES definitions (name, version)
      );
      CREATE INDEX executions_due ON executions (next_due_at) WHERE next_due_at IS NOT NULL;
    `,
  },
];
