import { eventually } from '@eventline/testing';
import {
  alertsOf,
  countRows,
  postReadings,
  startTelemetryWorld,
  type TelemetryWorld,
} from './telemetry-system';

/** A seeded generator, so a failure replays exactly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Noise of unit variance bounded by ±6 (Irwin–Hall of 12 uniforms), as a sensor's jitter. */
function noise(next: () => number): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += next();
  return sum - 6;
}

const SETTINGS = {
  TELEMETRY_BATCH_SIZE: '40',
  TELEMETRY_RETENTION_DAYS: '3',
  TELEMETRY_PARTITIONS_AHEAD_DAYS: '2',
  TELEMETRY_DEVICE_TYPES: JSON.stringify({
    default: { alpha: 0.05, zThreshold: 8, warmup: 30, expectedIntervalSeconds: 3600 },
    beacon: { alpha: 0.05, zThreshold: 8, warmup: 30, expectedIntervalSeconds: 2 },
  }),
};

/** `count` readings one second apart, ending a second ago: level 20, jitter σ 0.5, spikes of +15σ. */
function signal(deviceId: string, seed: number, count: number, spikes: number[]) {
  const next = random(seed);
  const end = Date.now() - 1000;
  return Array.from({ length: count }, (_, i) => ({
    deviceId,
    metric: 'temperature',
    value: 20 + 0.5 * noise(next) + (spikes.includes(i) ? 7.5 : 0),
    at: new Date(end - (count - 1 - i) * 1000).toISOString(),
  }));
}

describe('anomaly detection, silence alerts and retention on real Postgres, Redis and Kafka', () => {
  let world: TelemetryWorld;

  beforeAll(async () => {
    world = await startTelemetryWorld(SETTINGS);
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('given steady signals and one with injected spikes, when they stream in, then exactly the spikes raise alerts and the steady signals stay silent', async () => {
    const spikes = [120, 180, 260];
    const spiky = signal('spiky-1', 7, 300, spikes);
    const steady = [1, 2, 3].flatMap((n) => signal(`steady-${n}`, 100 + n, 300, []));
    const response = await postReadings(world, { readings: [...spiky, ...steady] });
    expect(response.status).toBe(202);
    await eventually(
      async () =>
        (await countRows(world.pool, 'SELECT count(*) AS n FROM telemetry.readings')) >= 1200
          ? true
          : undefined,
      60_000,
    );
    const alerts = await eventually(async () => {
      const found = await alertsOf(world, 'spiky-1');
      return found.length >= spikes.length ? found : undefined;
    }, 30_000);
    expect(alerts.map((a) => a.raisedAt).sort()).toEqual(spikes.map((i) => spiky[i]!.at));
    for (const alert of alerts) {
      expect(alert).toMatchObject({ kind: 'anomaly', metric: 'temperature' });
      expect(alert.notifiedAt).not.toBeNull();
    }
    for (const n of [1, 2, 3]) expect(await alertsOf(world, `steady-${n}`)).toEqual([]);
  }, 120_000);

  it('given a warm detector, when the system restarts, then its state is kept: the first reading after is judged without a new warm-up', async () => {
    const warm = signal('restart-1', 11, 60, []);
    await postReadings(world, { readings: warm.slice(0, 59) });
    await eventually(async () =>
      (await countRows(
        world.pool,
        "SELECT count AS n FROM telemetry.detectors WHERE device_id = 'restart-1'",
      )) === 59
        ? true
        : undefined,
    );
    await world.restart();
    const spike = { ...warm[59]!, value: warm[59]!.value + 7.5 };
    expect((await postReadings(world, { readings: [spike] })).status).toBe(202);
    const alerts = await eventually(async () => {
      const found = await alertsOf(world, 'restart-1');
      return found.length > 0 ? found : undefined;
    });
    expect(alerts.map((a) => a.raisedAt)).toEqual([spike.at]);
  }, 120_000);

  it('given a device quiet longer than its type expects, when the silence job runs, then one silence alert is raised, and none for a device heard recently', async () => {
    const at = new Date(Date.now() - 1000).toISOString();
    await postReadings(world, {
      readings: [
        { deviceId: 'beacon-1', metric: 'battery', value: 3.1, at, deviceType: 'beacon' },
        { deviceId: 'meter-1', metric: 'kwh', value: 10, at },
      ],
    });
    await eventually(async () =>
      (await countRows(
        world.pool,
        "SELECT count(*) AS n FROM telemetry.devices WHERE device_id IN ('beacon-1', 'meter-1')",
      )) === 2
        ? true
        : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await world.system.pingSources.fire('device-silence');
    const alerts = await eventually(async () => {
      const found = await alertsOf(world, 'beacon-1');
      return found.length > 0 ? found : undefined;
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'silence',
      details: { lastSeenAt: at, expectedIntervalSeconds: 2, deviceType: 'beacon' },
    });
    // The same silence is not reported again.
    await world.system.pingSources.fire('device-silence');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await alertsOf(world, 'beacon-1')).toHaveLength(1);
    expect(await alertsOf(world, 'meter-1')).toEqual([]);
  }, 60_000);

  it('given day partitions older than the retention, when the retention job runs, then they are dropped with their rows and the coming days are created', async () => {
    const day = (offset: number) => {
      const d = new Date(Date.now() + offset * 86_400_000);
      return d.toISOString().slice(0, 10);
    };
    const name = (offset: number) => `readings_${day(offset).replaceAll('-', '')}`;
    // Partitions and rows as writers left them on days since past the retention of 3 days.
    for (const offset of [-5, -4]) {
      await world.pool.query(
        `CREATE TABLE IF NOT EXISTS telemetry.${name(offset)} PARTITION OF telemetry.readings
         FOR VALUES FROM ('${day(offset)}T00:00:00Z') TO ('${day(offset + 1)}T00:00:00Z')`,
      );
      await world.pool.query(
        `INSERT INTO telemetry.readings (device_id, metric, value, at) VALUES ('old-1', 'temp', 1, $1)`,
        [`${day(offset)}T12:00:00Z`],
      );
    }
    const partitions = async () =>
      (
        await world.pool.query<{ relname: string }>(
          `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'telemetry.readings'::regclass ORDER BY 1`,
        )
      ).rows.map((r) => r.relname);
    expect(await partitions()).toEqual(expect.arrayContaining([name(-5), name(-4)]));

    await world.system.pingSources.fire('telemetry-retention');
    await eventually(async () => ((await partitions()).includes(name(-4)) ? undefined : true));
    const kept = await partitions();
    expect(kept).not.toContain(name(-5));
    expect(kept).toEqual(expect.arrayContaining([name(0), name(1), name(2)]));
    expect(
      await countRows(
        world.pool,
        "SELECT count(*) AS n FROM telemetry.readings WHERE device_id = 'old-1'",
      ),
    ).toBe(0);
    // Readings of the days still kept are untouched.
    expect(
      await countRows(world.pool, 'SELECT count(*) AS n FROM telemetry.readings'),
    ).toBeGreaterThan(1000);
  }, 60_000);
});
