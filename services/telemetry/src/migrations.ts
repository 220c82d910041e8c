import type { Migration } from '@eventline/store';

export const telemetryMigrations: Migration[] = [
  {
    id: '001_series_detectors_alerts',
    sql: `
      -- The raw series, one partition per UTC day (created ahead by telemetry-retention, or by the
      -- writer for a day it finds missing) so retention drops whole partitions instead of
      -- deleting rows. The unique key makes a redelivered batch insert nothing twice; readings
      -- arrive roughly in time order, which is what a BRIN index on time summarises cheaply.
      CREATE TABLE readings (
        device_id text NOT NULL,
        metric text NOT NULL,
        value double precision NOT NULL,
        at timestamptz NOT NULL,
        UNIQUE (device_id, metric, at)
      ) PARTITION BY RANGE (at);
      CREATE INDEX readings_at_brin ON readings USING brin (at);

      -- One streaming detector per device and metric: its EWMA state and its latest reading.
      CREATE TABLE detectors (
        device_id text NOT NULL,
        metric text NOT NULL,
        device_type text NOT NULL,
        count bigint NOT NULL,
        mean double precision NOT NULL,
        variance double precision NOT NULL,
        last_value double precision NOT NULL,
        last_at timestamptz NOT NULL,
        PRIMARY KEY (device_id, metric)
      );

      -- When each device was last heard from, and which silence was already reported.
      CREATE TABLE devices (
        device_id text PRIMARY KEY,
        device_type text NOT NULL,
        last_seen_at timestamptz NOT NULL,
        silence_reported_for timestamptz
      );
      CREATE INDEX devices_last_seen ON devices (last_seen_at);

      CREATE TABLE alerts (
        id bigserial PRIMARY KEY,
        -- the event that raised it: a redelivery finds its alert instead of adding one
        cause text NOT NULL UNIQUE,
        device_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('anomaly', 'silence')),
        metric text,
        details jsonb NOT NULL,
        raised_at timestamptz NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now(),
        notified_at timestamptz
      );
      CREATE INDEX alerts_device ON alerts (device_id, id DESC);
    `,
  },
  {
    id: '002_partitions_as_owner',
    sql: `
      -- Day partitions come and go while handlers run (record-readings, telemetry-retention),
      -- but the package's runtime role has no DDL: these two make and drop readings' day
      -- partitions only, as the schema's owner.
      CREATE FUNCTION create_readings_partition(day text) RETURNS boolean
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
          start timestamptz;
        BEGIN
          IF day !~ '^[0-9]{8}$' THEN
            RAISE EXCEPTION 'not a day as partitions name it: %', day;
          END IF;
          IF to_regclass('telemetry.readings_' || day) IS NOT NULL THEN
            RETURN false;
          END IF;
          start := to_date(day, 'YYYYMMDD')::timestamp AT TIME ZONE 'UTC';
          EXECUTE format('CREATE TABLE telemetry.%I PARTITION OF telemetry.readings FOR VALUES FROM (%L) TO (%L)',
                         'readings_' || day, start, start + interval '1 day');
          RETURN true;
        END $$;
      CREATE FUNCTION drop_readings_partition(name text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
          IF name !~ '^readings_[0-9]{8}$' THEN
            RAISE EXCEPTION 'not a day partition of telemetry.readings: %', name;
          END IF;
          EXECUTE format('DROP TABLE IF EXISTS telemetry.%I', name);
        END $$;
      REVOKE ALL ON FUNCTION create_readings_partition(text), drop_readings_partition(text) FROM PUBLIC;
    `,
  },
];
