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
];
