import { eventually } from '@eventline/testing';
import {
  countRows,
  deadLetters,
  getJson,
  postReadings,
  produceRaw,
  startTelemetryWorld,
  type TelemetryWorld,
} from './telemetry-system';

const secondsAgo = (s: number) => new Date(Date.now() - s * 1000).toISOString();

describe('telemetry ingest over HTTP and the raw Kafka topic, on real Postgres, Redis and Kafka', () => {
  let world: TelemetryWorld;

  beforeAll(async () => {
    world = await startTelemetryWorld({
      TELEMETRY_BATCH_SIZE: '50',
      TELEMETRY_CLOCK_SKEW_SECONDS: '30',
    });
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  const seriesCount = (deviceId: string) =>
    countRows(world.pool, 'SELECT count(*) AS n FROM telemetry.readings WHERE device_id = $1', [
      deviceId,
    ]);

  it('given a batch of readings POSTed, then they are announced in batches, stored once each, and the device answers its latest values', async () => {
    const readings = Array.from({ length: 120 }, (_, i) => ({
      deviceId: 'http-1',
      metric: i % 2 === 0 ? 'temperature' : 'humidity',
      value: i,
      at: secondsAgo(240 - i),
    }));
    const response = await postReadings(world, { readings });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 120, batches: 3 });

    await eventually(async () => ((await seriesCount('http-1')) === 120 ? true : undefined));
    const device = await eventually(async () => {
      const { status, body } = await getJson<{
        latest: Array<{ metric: string; value: number; at: string }>;
      }>(world, '/devices/http-1');
      return status === 200 && body.latest.length === 2 ? body : undefined;
    });
    expect(device.latest).toEqual([
      { metric: 'humidity', value: 119, at: readings[119]!.at.replace(/\.\d+Z$/, (m) => m) },
      { metric: 'temperature', value: 118, at: readings[118]!.at },
    ]);
  });

  it('given readings already stored, when the same batch is POSTed again, then nothing is stored twice', async () => {
    const readings = [0, 1, 2].map((i) => ({
      deviceId: 'http-2',
      metric: 'rpm',
      value: 900 + i,
      at: secondsAgo(10 - i),
    }));
    expect((await postReadings(world, { readings })).status).toBe(202);
    await eventually(async () => ((await seriesCount('http-2')) === 3 ? true : undefined));
    expect((await postReadings(world, { readings })).status).toBe(202);
    // The second batch's delivery is done once its detector count shows it was seen.
    const detectorCount = () =>
      countRows(
        world.pool,
        "SELECT count AS n FROM telemetry.detectors WHERE device_id = 'http-2'",
      );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await seriesCount('http-2')).toBe(3);
    expect(await detectorCount()).toBe(3);
  });

  it('given a device series, when asked with a step, then it answers avg, min and max per step', async () => {
    const base = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    const readings = Array.from({ length: 12 }, (_, i) => ({
      deviceId: 'series-1',
      metric: 'power',
      value: i,
      at: new Date(base + i * 10_000).toISOString(),
    }));
    expect((await postReadings(world, { readings })).status).toBe(202);
    await eventually(async () => ((await seriesCount('series-1')) === 12 ? true : undefined));
    const from = new Date(base).toISOString();
    const to = new Date(base + 120_000).toISOString();
    const { status, body } = await getJson<{ points: unknown[] }>(
      world,
      `/devices/series-1/series?metric=power&from=${from}&to=${to}&step=60`,
    );
    expect(status).toBe(200);
    expect(body.points).toEqual([
      { at: new Date(base).toISOString(), avg: 2.5, min: 0, max: 5, count: 6 },
      { at: new Date(base + 60_000).toISOString(), avg: 8.5, min: 6, max: 11, count: 6 },
    ]);
  });

  it.each([
    [
      {
        readings: [
          { deviceId: 'd', metric: 'm', value: 1, at: secondsAgo(1) },
          { deviceId: '', metric: 'm', value: 1, at: secondsAgo(1) },
        ],
      },
      'readings[1].deviceId',
    ],
    [
      { readings: [{ deviceId: 'd', metric: 'M!', value: 1, at: secondsAgo(1) }] },
      'readings[0].metric',
    ],
    [
      { readings: [{ deviceId: 'd', metric: 'm', value: 'NaN', at: secondsAgo(1) }] },
      'readings[0].value must be a finite number',
    ],
    [
      { readings: [{ deviceId: 'd', metric: 'm', value: 1e300, at: secondsAgo(1) }] },
      'readings[0].value must be within',
    ],
    [
      { readings: [{ deviceId: 'd', metric: 'm', value: 1, at: secondsAgo(-3600) }] },
      'readings[0].at is in the future',
    ],
    [{ readings: [{ deviceId: 'd', metric: 'm', value: 1, at: 'now' }] }, 'readings[0].at must be'],
    [{ readings: [] }, 'readings must be a non-empty array'],
    [{ nope: [] }, 'unexpected field "nope"'],
  ])(
    'given a bad batch %j, when POSTed, then 400 names the field and nothing is announced',
    async (body, reason) => {
      const response = await postReadings(world, body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toContain(reason);
    },
  );

  it('given bad queries, then each route answers 4xx naming what is wrong', async () => {
    const cases: Array<[string, number, string]> = [
      ['/devices/no%20such', 400, 'device id'],
      ['/devices/never-seen', 404, 'no readings of device "never-seen"'],
      ['/devices/d/series?metric=Bad!', 400, 'metric'],
      ['/devices/d/series?metric=m&from=yesterday', 400, 'from must be'],
      ['/devices/d/series?metric=m&step=0', 400, 'step must be'],
      [
        '/devices/d/series?metric=m&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
        400,
        'from must be before to',
      ],
      [
        '/devices/d/series?metric=m&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&step=1',
        400,
        'widen step',
      ],
      ['/alerts?deviceId=no%20such', 400, 'deviceId'],
      ['/alerts?limit=0', 400, 'limit'],
    ];
    for (const [path, status, reason] of cases) {
      const answer = await getJson<{ error: string }>(world, path);
      expect({ path, status: answer.status }).toEqual({ path, status });
      expect(answer.body.error).toContain(reason);
    }
  });

  it('given records on the raw topic, when some are malformed, then the good ones are stored, the bad ones dead-lettered with their reason, and the topic keeps moving', async () => {
    await produceRaw(world, [
      JSON.stringify({
        deviceId: 'kafka-1',
        metric: 'temperature',
        value: 20.5,
        at: secondsAgo(5),
      }),
      'this is not JSON',
      JSON.stringify({
        deviceId: 'kafka-1',
        metric: 'temperature',
        value: 'hot',
        at: secondsAgo(4),
      }),
      JSON.stringify({
        readings: [
          { deviceId: 'kafka-1', metric: 'temperature', value: 21, at: secondsAgo(3) },
          { deviceId: 'kafka-1', metric: 'pressure', value: 1013, at: secondsAgo(3) },
        ],
      }),
      JSON.stringify({
        readings: [{ deviceId: 'kafka-1', metric: 'temperature', value: 1, at: secondsAgo(-7200) }],
      }),
      JSON.stringify({ deviceId: 'kafka-1', metric: 'temperature', value: 22, at: secondsAgo(1) }),
    ]);
    await eventually(async () => ((await seriesCount('kafka-1')) === 4 ? true : undefined), 60_000);
    const letters = await eventually(async () => {
      const found = (await deadLetters(world)).filter((l) => l.type === 'dev.knative.kafka.event');
      return found.length === 3 ? found : undefined;
    }, 60_000);
    const reasons = letters
      .map((l) => ({ status: l.status, response: l.response }))
      .sort((a, b) => a.response.localeCompare(b.response));
    expect(reasons).toEqual([
      {
        status: 400,
        response: expect.stringContaining('readings[0].at is in the future') as string,
      },
      { status: 400, response: expect.stringContaining('record is not JSON') as string },
      {
        status: 400,
        response: expect.stringContaining('record.value must be a finite number') as string,
      },
    ]);
    for (const letter of letters)
      expect(letter.event.source).toMatch(
        new RegExp(`/kafkasources/telemetry-raw#${world.rawTopic.replaceAll('.', '\\.')}$`),
      );
    const device = await getJson<{ latest: Array<{ metric: string; value: number }> }>(
      world,
      '/devices/kafka-1',
    );
    expect(device.body.latest.map((l) => [l.metric, l.value])).toEqual([
      ['pressure', 1013],
      ['temperature', 22],
    ]);
  }, 90_000);
});
