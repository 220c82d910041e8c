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
  {
    id: '005_row_security',
    sql: `
      -- Every handler's records share these tables; a package's runtime role reaches only the
      -- rows of its own handlers (consumer, producer), by the handlers its package registered
      -- here when it was migrated. every_handler is the housekeeping jobs' (outbox-sweep sends
      -- every producer's rows, idempotency-pruning prunes every consumer's). The tables' owner,
      -- and so one role running everything, is not subject to these policies.
      CREATE TABLE runtime_roles (
        role name PRIMARY KEY,
        handlers text[] NOT NULL,
        every_handler boolean NOT NULL DEFAULT false
      );
      CREATE FUNCTION handler_of_current_role(handler text) RETURNS boolean
        LANGUAGE sql STABLE AS $$
          SELECT EXISTS (SELECT 1 FROM eventline.runtime_roles r
                          WHERE r.role = current_user
                            AND (r.every_handler OR handler = ANY (r.handlers)))
        $$;
      ALTER TABLE processed_events ENABLE ROW LEVEL SECURITY;
      CREATE POLICY own_handlers ON processed_events
        USING (handler_of_current_role(consumer));
      ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
      CREATE POLICY own_handlers ON idempotency_keys
        USING (handler_of_current_role(consumer));
      ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
      CREATE POLICY own_handlers ON outbox
        USING (handler_of_current_role(producer));
    `,
  },
];
