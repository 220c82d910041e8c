import type { Migration } from './migrations';

/** Tables every handler relies on: idempotency records and the transactional outbox. */
export const PLATFORM_SCHEMA = 'eventline';

export const platformMigrations: Migration[] = [
  {
    id: '001_idempotency_and_outbox',
    sql: `
      CREATE TABLE processed_events (
        consumer text NOT NULL,
        source text NOT NULL,
        id text NOT NULL,
        reply jsonb,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, source, id)
      );
      CREATE INDEX processed_events_age ON processed_events (processed_at);
      CREATE TABLE outbox (
        position bigserial PRIMARY KEY,
        producer text NOT NULL,
        event jsonb NOT NULL,
        enqueued_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX outbox_by_producer ON outbox (producer, position);
    `,
  },
];
