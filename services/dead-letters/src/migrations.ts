import type { Migration } from '@eventline/store';

export const deadLetterMigrations: Migration[] = [
  {
    id: '001_letters',
    sql: `
      CREATE TABLE letters (
        letter_id bigserial PRIMARY KEY,
        event_source text NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        event jsonb NOT NULL,
        destination text,
        status integer,
        response text,
        received_at timestamptz NOT NULL DEFAULT now(),
        replayed_at timestamptz
      );
      CREATE INDEX letters_pending ON letters (received_at) WHERE replayed_at IS NULL;
    `,
  },
  {
    // jsonb refuses a \u0000 escape, which valid JSON may hold; json keeps the text as it came,
    // so such an event is stored like any other instead of failing its dead-lettering.
    id: '002_letters_event_json',
    sql: `ALTER TABLE letters ALTER COLUMN event TYPE json USING event::json;`,
  },
];
