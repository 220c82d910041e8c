import type { Migration } from '@eventline/store';

/** The event store's tables live in their own schema; every service runs these migrations itself. */
export const EVENTSTORE_SCHEMA = 'eventstore';

/**
 * Key of the transaction-level advisory lock every append takes before it draws global positions.
 * hashtext keeps it readable; migrate() uses the same scheme for other names, so no clash.
 */
const APPEND_LOCK = `hashtext('eventline.eventstore.append')`;

export const eventStoreMigrations: Migration[] = [
  {
    id: '001_streams_events_snapshots_checkpoints',
    sql: `
      CREATE TABLE streams (
        stream_id text PRIMARY KEY,
        version bigint NOT NULL CHECK (version > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz
      );
      CREATE INDEX streams_closed ON streams (closed_at) WHERE closed_at IS NOT NULL;

      CREATE TABLE events (
        global_position bigserial PRIMARY KEY,
        stream_id text NOT NULL,
        stream_version bigint NOT NULL,
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (stream_id, stream_version)
      );

      CREATE TABLE snapshots (
        stream_id text PRIMARY KEY,
        version bigint NOT NULL,
        revision integer NOT NULL,
        state jsonb NOT NULL,
        taken_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE checkpoints (
        projection text PRIMARY KEY,
        position bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      -- Gap handling. A bigserial hands out positions at insert time, but transactions commit in
      -- any order: without care, a reader could see position 11 committed, move its checkpoint
      -- past 10, and miss 10 when it commits a moment later. Every append therefore takes one
      -- transaction-level advisory lock just before it draws positions and holds it until its
      -- transaction ends. So at most one transaction holds drawn-but-uncommitted positions at a
      -- time, positions become visible in exactly their order, and readers (projections,
      -- readAll) need nothing beyond "position > checkpoint": no gap detection, no timeouts.
      -- The price is that appends commit one after another. To keep that cheap the stream's
      -- version check and update come first (concurrent appends to different streams overlap
      -- there), the lock covers only the event insert and the commit, and a standalone append is
      -- this one function call in autocommit: one round trip, the lock held for microseconds.
      -- A caller appending inside its own transaction holds the lock until it commits, so it
      -- should append last. Two transactions that each append to several of the same streams
      -- can deadlock on stream rows against the lock; Postgres aborts one with 40P01, which
      -- isRetryableDatabaseError reports as retryable.
      -- Outcomes are returned, not raised, so a conflict leaves a caller's transaction usable.
      CREATE FUNCTION eventstore.append_to_stream(
        p_stream_id text,
        p_expected_version bigint,
        p_events jsonb
      ) RETURNS TABLE (
        outcome text,
        stream_version bigint,
        first_position bigint,
        last_position bigint
      ) LANGUAGE plpgsql AS $$
      DECLARE
        v_count bigint := jsonb_array_length(p_events);
        v_current bigint;
        v_closed timestamptz;
        v_first bigint;
        v_last bigint;
      BEGIN
        -- One statement claims the next versions, or finds nothing when the expectation fails.
        IF p_expected_version IS NULL THEN
          INSERT INTO eventstore.streams AS s (stream_id, version) VALUES (p_stream_id, v_count)
            ON CONFLICT (stream_id) DO UPDATE SET version = s.version + v_count
              WHERE s.closed_at IS NULL
            RETURNING s.version - v_count INTO v_current;
        ELSIF p_expected_version = 0 THEN
          INSERT INTO eventstore.streams (stream_id, version) VALUES (p_stream_id, v_count)
            ON CONFLICT DO NOTHING
            RETURNING 0 INTO v_current;
        ELSE
          UPDATE eventstore.streams s SET version = s.version + v_count
            WHERE s.stream_id = p_stream_id AND s.version = p_expected_version
              AND s.closed_at IS NULL
            RETURNING p_expected_version INTO v_current;
        END IF;
        IF v_current IS NULL THEN
          SELECT s.version, s.closed_at INTO v_current, v_closed
            FROM eventstore.streams s WHERE s.stream_id = p_stream_id;
          RETURN QUERY SELECT CASE WHEN v_closed IS NULL THEN 'conflict' ELSE 'closed' END,
                              coalesce(v_current, 0), NULL::bigint, NULL::bigint;
          RETURN;
        END IF;

        PERFORM pg_advisory_xact_lock(${APPEND_LOCK});
        IF v_count = 1 THEN
          -- The common case, without unnesting an array.
          INSERT INTO eventstore.events (stream_id, stream_version, type, data, metadata)
            VALUES (p_stream_id, v_current + 1, p_events->0->>'type', p_events->0->'data',
                    p_events->0->'metadata')
            RETURNING global_position INTO v_first;
          v_last := v_first;
        ELSE
          WITH inserted AS (
            INSERT INTO eventstore.events (stream_id, stream_version, type, data, metadata)
            SELECT p_stream_id, v_current + e.ordinality, e.value->>'type', e.value->'data',
                   e.value->'metadata'
              FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e
             ORDER BY e.ordinality
            RETURNING global_position
          )
          SELECT min(global_position), max(global_position) INTO v_first, v_last FROM inserted;
        END IF;
        RETURN QUERY SELECT 'ok'::text, v_current + v_count, v_first, v_last;
      END;
      $$;
    `,
  },
  {
    id: '002_parked_events',
    sql: `
      -- Events a projection could not apply, with why: parked so the events after them go on.
      CREATE TABLE parked_events (
        projection text NOT NULL,
        global_position bigint NOT NULL,
        error text NOT NULL,
        parked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (projection, global_position)
      );
    `,
  },
];

/**
 * The same store in a schema of another name, for a package that keeps its streams apart from
 * another's: each package owns its schemas (its database role owns them), so two packages that
 * both keep streams cannot share one.
 */
export function eventStoreMigrationsIn(schema: string): Migration[] {
  if (schema === EVENTSTORE_SCHEMA) return eventStoreMigrations;
  return eventStoreMigrations.map((m) => ({ ...m, sql: inSchema(m.sql, schema) }));
}

/** SQL written against the `eventstore` schema, moved to another one. */
export function inSchema(sql: string, schema: string): string {
  if (schema === EVENTSTORE_SCHEMA) return sql;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`not a schema name: ${schema}`);
  // The append lock's key names the schema too ('eventline.eventstore.append'), so stores in
  // two schemas do not wait on each other.
  return sql.replaceAll('eventstore.', `${schema}.`);
}
