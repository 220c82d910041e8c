import type { Migration } from '@eventline/store';

export const flagsMigrations: Migration[] = [
  {
    id: '001_commands_and_read_model',
    sql: `
      CREATE TABLE commands (
        version bigserial PRIMARY KEY,
        key text NOT NULL,
        enabled boolean NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE flags (
        key text PRIMARY KEY,
        enabled boolean NOT NULL,
        version bigint NOT NULL,
        updated_at timestamptz NOT NULL
      );
    `,
  },
];
