import { loadRouting, type Routing } from '@eventline/routing';
import { startLocalSystem, type LocalSystem, type Topology } from '@eventline/runtime';
import { createPool, type Pool } from '@eventline/store';
import { createTestDatabase, uniqueName, type TestServers } from '@eventline/testing';
import { percentile } from '../latency';
import { Fleet, type InjectedAnomaly } from './signals';

export interface SimulationOptions {
  devices: number;
  /** readings offered per second */
  rate: number;
  seconds: number;
  topology: Topology;
  anomalyRate: number;
  seed: number;
}

export interface SimulationReport {
  offered: number;
  /** readings per second actually sent (the offered rate unless the client fell behind) */
  sentRate: number;
  stored: number;
  /** stored readings per second, from the first send to the last reading stored */
  storedRate: number;
  injected: number;
  detected: number;
  missed: number;
  falselyRaised: number;
  /** reading produced → its alert stored, ms */
  alertLatency: { p50: number; p99: number; max: number; count: number };
  rejectedRequests: number;
}

const TICK_MS = 100;
/** POSTs in flight at most: beyond it the client is behind and says so in `sentRate`. */
const MAX_IN_FLIGHT = 16;

/** The telemetry handlers and the dead-letter sink; jobs left to their schedules. */
function telemetryRouting(): Routing {
  const routing = loadRouting();
  return {
    ...routing,
    handlers: routing.handlers.filter(
      (h) => h.package === 'telemetry' || h.package === 'dead-letters',
    ),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function count(pool: Pool, sql: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(sql);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Waits until `probe` reaches `expected`, or stops changing for `quietMs`, or `limitMs` passes;
 * returns its last value and when it last changed.
 */
async function settled(
  probe: () => Promise<number>,
  quietMs: number,
  limitMs: number,
  expected: number,
  progress: (value: number) => void,
): Promise<{ value: number; changedAt: number }> {
  const deadline = Date.now() + limitMs;
  let value = await probe();
  let changedAt = Date.now();
  let reported = Date.now();
  while (Date.now() < deadline) {
    if (Date.now() - reported >= 5000) {
      progress(value);
      reported = Date.now();
    }
    await sleep(100);
    const now = await probe();
    if (now !== value) {
      value = now;
      changedAt = Date.now();
    } else if (Date.now() - changedAt >= quietMs) break;
    if (value >= expected) break;
  }
  return { value, changedAt };
}

/**
 * Runs the telemetry system on the given servers (a fresh database, a namespace of its own), sends
 * a fleet's readings to POST /telemetry at `rate` per second for `seconds`, then scores the
 * stored alerts against the spikes injected: found, missed, and raised with no spike.
 */
export async function runSimulation(
  servers: TestServers,
  options: SimulationOptions,
  log: (line: string) => void,
): Promise<SimulationReport> {
  const database = await createTestDatabase(servers.databaseUrl, 'iot_sim');
  const namespace = uniqueName('iot-sim');
  let system: LocalSystem | undefined;
  const pool = createPool(database.url, { max: 2, name: 'iot-simulate' });
  try {
    system = await startLocalSystem({
      routing: telemetryRouting(),
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: servers.redisUrl,
        REDIS_KEY_PREFIX: `${namespace}:`,
        KAFKA_BROKERS: servers.kafkaBrokers,
        LOG_LEVEL: 'warn',
        EVENTLINE_DB_POOL_MAX: '8',
      },
      topology: options.topology,
      namespace,
      edgePort: 0,
    });
    const url = `${system.edgeUrl}/telemetry`;
    const fleet = new Fleet({
      devices: options.devices,
      warmup: 60,
      anomalyRate: options.anomalyRate,
      spacing: 200,
      seed: options.seed,
    });
    log(
      `simulating ${options.devices} devices at ${options.rate} readings/s for ${options.seconds} s`,
    );

    let inFlight = 0;
    let sent = 0;
    let rejected = 0;
    const requests: Array<Promise<void>> = [];
    const started = Date.now();
    const perTick = Math.round((options.rate * TICK_MS) / 1000);
    for (let tick = 0; tick < (options.seconds * 1000) / TICK_MS; tick++) {
      const due = started + tick * TICK_MS;
      if (Date.now() < due) await sleep(due - Date.now());
      if (inFlight >= MAX_IN_FLIGHT) continue;
      const readings = fleet.take(perTick, Date.now());
      inFlight++;
      sent += readings.length;
      requests.push(
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ readings }),
        })
          .then(async (response) => {
            if (response.status !== 202) {
              rejected++;
              log(`POST /telemetry answered ${response.status}: ${await response.text()}`);
            }
          })
          .catch(() => {
            rejected++;
          })
          .finally(() => {
            inFlight--;
          }),
      );
    }
    await Promise.all(requests);
    const sentSeconds = (Date.now() - started) / 1000;
    log(
      `sent ${sent} readings in ${sentSeconds.toFixed(1)} s; waiting for the series and alerts to settle`,
    );

    const series = await settled(
      () => count(pool, 'SELECT count(*) AS n FROM telemetry.readings'),
      15_000,
      300_000,
      sent,
      (n) => log(`${n} readings stored`),
    );
    const stored = series.value;
    const storedSeconds = (series.changedAt - started) / 1000;
    await settled(
      () => count(pool, 'SELECT count(*) AS n FROM telemetry.alerts'),
      10_000,
      120_000,
      Infinity,
      (n) => log(`${n} alerts stored`),
    );
    const { rows: alerts } = await pool.query<{
      device_id: string;
      metric: string;
      at: string;
      stored_at: Date;
    }>(
      `SELECT device_id, metric, to_char(raised_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
              stored_at FROM telemetry.alerts WHERE kind = 'anomaly'`,
    );
    const { rows: unmatched } = await pool.query<{ cause: string; details: unknown }>(
      `SELECT cause, details FROM telemetry.alerts WHERE kind = 'anomaly' AND NOT (cause = ANY($1)) LIMIT 3`,
      [fleet.injected.map((a) => `anomaly:${a.deviceId}/${a.metric}@${a.at}`)],
    );
    for (const alert of unmatched)
      log(`raised without a spike: ${alert.cause} ${JSON.stringify(alert.details)}`);
    const key = (a: InjectedAnomaly) => `${a.deviceId}/${a.metric}@${a.at}`;
    const injected = new Set(fleet.injected.map(key));
    const raised = new Map(
      alerts.map((a) => [key({ deviceId: a.device_id, metric: a.metric, at: a.at }), a]),
    );
    const detected = [...injected].filter((k) => raised.has(k));
    const latencies = detected
      .map((k) => {
        const alert = raised.get(k)!;
        return alert.stored_at.getTime() - new Date(alert.at).getTime();
      })
      .sort((a, b) => a - b);
    return {
      offered: options.rate * options.seconds,
      sentRate: sent / sentSeconds,
      stored,
      storedRate: stored / storedSeconds,
      injected: injected.size,
      detected: detected.length,
      missed: injected.size - detected.length,
      falselyRaised: [...raised.keys()].filter((k) => !injected.has(k)).length,
      alertLatency: {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies.at(-1) ?? Number.NaN,
        count: latencies.length,
      },
      rejectedRequests: rejected,
    };
  } finally {
    await system?.stop();
    await pool.end();
    await database.drop();
  }
}
