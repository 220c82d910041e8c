import type { Decider } from '@eventline/eventstore';
import type { DataOf, AnomalyDetected } from '@eventline/events';
import type { DeviceTypeSettings } from '../config';
import type { Reading } from './reading';

/** One detector's running state: an exponentially weighted mean and variance of its readings. */
export interface DetectorState {
  deviceType: string;
  count: number;
  mean: number;
  variance: number;
  lastValue: number;
  lastAt: string;
}

/** Detectors by `deviceId/metric`. */
export type Detectors = Record<string, DetectorState>;

export const detectorKey = (deviceId: string, metric: string) => `${deviceId}/${metric}`;

export type ObserveReadings = {
  type: 'ObserveReadings';
  data: {
    readings: Reading[];
    /** the settings of each device type the readings name (and `default`) */
    settings: Record<string, DeviceTypeSettings>;
  };
};

export type AnomalyFound = { type: 'AnomalyFound'; data: DataOf<typeof AnomalyDetected> };
export type DetectorUpdated = {
  type: 'DetectorUpdated';
  data: { deviceId: string; metric: string; state: DetectorState };
};
export type DetectorEvent = AnomalyFound | DetectorUpdated;

/** The catalog bounds a z-score; a spike on a perfectly flat signal is at least this far out. */
const Z_LIMIT = 1e15;
/** A flat signal still has some noise floor, relative to its level, so z stays finite. */
const RELATIVE_NOISE_FLOOR = 1e-9;

function zScoreOf(value: number, state: DetectorState): { stddev: number; zScore: number } {
  const stddev = Math.sqrt(state.variance);
  const floor = RELATIVE_NOISE_FLOOR * Math.max(1, Math.abs(state.mean));
  const z = (value - state.mean) / Math.max(stddev, floor);
  return { stddev, zScore: Math.max(-Z_LIMIT, Math.min(Z_LIMIT, z)) };
}

/**
 * The incremental EWMA update (West 1979). During warm-up the weight is at least 1/count, so the
 * first readings give their plain mean and variance instead of an estimate biased to the first.
 */
function updated(state: DetectorState, value: number, at: string, alpha: number): DetectorState {
  const count = state.count + 1;
  const weight = Math.max(alpha, 1 / count);
  const diff = value - state.mean;
  const increment = weight * diff;
  return {
    deviceType: state.deviceType,
    count,
    mean: state.mean + increment,
    variance: (1 - weight) * (state.variance + diff * increment),
    lastValue: value,
    lastAt: at,
  };
}

/**
 * Streaming anomaly detection per device and metric: each reading of a batch, in time order, is
 * judged against its detector's state before it joins it; after the warm-up, |z| above the
 * device type's threshold is an anomaly. It is given each reading once (the series' unique key
 * tells which are new), so a redelivered batch neither moves the state nor alerts twice; a
 * batch arriving after a later one still counts.
 */
export const detectAnomaliesDecider = {
  initialState: (): Detectors => ({}),
  evolve(detectors: Detectors, event: DetectorEvent): Detectors {
    if (event.type !== 'DetectorUpdated') return detectors;
    const { deviceId, metric, state } = event.data;
    return { ...detectors, [detectorKey(deviceId, metric)]: state };
  },
  decide({ data }: ObserveReadings, detectors: Detectors): DetectorEvent[] {
    const working: Detectors = { ...detectors };
    const anomalies: AnomalyFound[] = [];
    const changed = new Map<string, { deviceId: string; metric: string }>();
    const ordered = [...data.readings].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    for (const reading of ordered) {
      const key = detectorKey(reading.deviceId, reading.metric);
      const current = working[key];
      const deviceType = reading.deviceType ?? current?.deviceType ?? 'default';
      const settings = (data.settings[deviceType] ?? data.settings.default) as DeviceTypeSettings;
      const state: DetectorState = current
        ? { ...current, deviceType }
        : { deviceType, count: 0, mean: 0, variance: 0, lastValue: 0, lastAt: reading.at };
      if (state.count >= settings.warmup) {
        const { stddev, zScore } = zScoreOf(reading.value, state);
        if (Math.abs(zScore) > settings.zThreshold) {
          anomalies.push({
            type: 'AnomalyFound',
            data: {
              deviceId: reading.deviceId,
              metric: reading.metric,
              deviceType,
              value: reading.value,
              at: reading.at,
              mean: state.mean,
              stddev,
              zScore,
              threshold: settings.zThreshold,
            },
          });
        }
      }
      const next = updated(state, reading.value, reading.at, settings.alpha);
      // Batches may arrive out of order: a late reading still counts, the newest stays last.
      if (current && current.lastAt > reading.at) {
        next.lastValue = current.lastValue;
        next.lastAt = current.lastAt;
      }
      working[key] = next;
      changed.set(key, { deviceId: reading.deviceId, metric: reading.metric });
    }
    const updates: DetectorUpdated[] = [...changed].map(([key, { deviceId, metric }]) => ({
      type: 'DetectorUpdated',
      data: { deviceId, metric, state: working[key] as DetectorState },
    }));
    return [...anomalies, ...updates];
  },
} satisfies Decider<Detectors, ObserveReadings, DetectorEvent>;
