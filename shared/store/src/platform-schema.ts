import type { Migration } from './migrations';

/** Tables every handler relies on: idempotency records, Idempotency-Key claims, the outbox. */
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
  {
    id: '002_idempotency_keys',
    sql: `
      -- An edge route's Idempotency-Key claims: the digest of the request a key was first used
      -- for (the same key with another request is refused) and the answer that request got.
      CREATE TABLE idempotency_keys (
        consumer text NOT NULL,
        key text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
        request text NOT NULL,
        answer jsonb,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, key)
      );
    `,
  },
  {
    id: '003_idempotency_key_age',
    // idempotency-pruning deletes by age
    sql: 'CREATE INDEX idempotency_keys_age ON idempotency_keys (claimed_at);',
  },
  {
    id: '004_outbox_claims',
    sql: `
      -- Who holds a row to send it, until when (see OutboxClaim), and the key whose order its
      -- sends keep: a row is taken only with every earlier row of its producer and key.
      ALTER TABLE outbox
        ADD COLUMN partitionkey text,
        ADD COLUMN owner text,
        ADD COLUMN lease_until timestamptz NOT NULL DEFAULT '-infinity';
      UPDATE outbox SET partitionkey = event->>'partitionkey';
      CREATE INDEX outbox_by_key ON outbox (producer, partitionkey, position);
    `,
  },
];
