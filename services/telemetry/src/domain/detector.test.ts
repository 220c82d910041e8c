import { deciderSpec } from '@eventline/eventstore';
import {
  detectAnomaliesDecider,
  type DetectorEvent,
  type DetectorState,
  type ObserveReadings,
} from './detector';

const spec = deciderSpec(detectAnomaliesDecider);
const settings = {
  default: { alpha: 0.5, zThreshold: 5, warmup: 3, expectedIntervalSeconds: 60 },
  pump: { alpha: 0.5, zThreshold: 20, warmup: 3, expectedIntervalSeconds: 60 },
};
const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
const observe = (...readings: Array<[number, number, string?]>): ObserveReadings => ({
  type: 'ObserveReadings',
  data: {
    readings: readings.map(([second, value, deviceType]) => ({
      deviceId: 'd-1',
      metric: 'temperature',
      value,
      at: at(second),
      ...(deviceType ? { deviceType } : {}),
    })),
    settings,
  },
});
const detector = (state: Partial<DetectorState>): DetectorEvent => ({
  type: 'DetectorUpdated',
  data: {
    deviceId: 'd-1',
    metric: 'temperature',
    state: {
      deviceType: 'default',
      count: 100,
      mean: 10,
      variance: 1,
      lastValue: 10,
      lastAt: at(10),
      ...state,
    },
  },
});

describe('the streaming anomaly detector', () => {
  it('given no detector, when readings arrive, then it warms up on their plain mean and variance without judging', () => {
    spec
      .given([])
      .when(observe([1, 10], [2, 12], [3, 1000]))
      .then([
        detector({
          count: 3,
          // weights 1, 1/2 and then alpha (0.5 = 1/2): the plain mean of 10 and 12, then EWMA
          mean: 505.5,
          variance: 0.5 * (1 + 989 * 494.5),
          lastValue: 1000,
          lastAt: at(3),
        }),
      ]);
  });

  it('given a warm detector, when a reading lies beyond the threshold, then an anomaly is found and the reading joins the state', () => {
    spec
      .given([detector({})])
      .when(observe([11, 20]))
      .then([
        {
          type: 'AnomalyFound',
          data: {
            deviceId: 'd-1',
            metric: 'temperature',
            deviceType: 'default',
            value: 20,
            at: at(11),
            mean: 10,
            stddev: 1,
            zScore: 10,
            threshold: 5,
          },
        },
        detector({ count: 101, mean: 15, variance: 25.5, lastValue: 20, lastAt: at(11) }),
      ]);
  });

  it('given a warm detector, when a reading lies within the threshold, then only the state moves', () => {
    spec
      .given([detector({})])
      .when(observe([11, 12]))
      .then([detector({ count: 101, mean: 11, variance: 1.5, lastValue: 12, lastAt: at(11) })]);
  });

  it("given a device type with a higher threshold, when the same reading arrives, then that type's threshold holds and nothing is found", () => {
    spec
      .given([detector({ deviceType: 'pump' })])
      .when(observe([11, 20, 'pump']))
      .then([
        detector({
          deviceType: 'pump',
          count: 101,
          mean: 15,
          variance: 25.5,
          lastValue: 20,
          lastAt: at(11),
        }),
      ]);
  });

  it('given a detector still warming up, when an outlier arrives, then nothing is judged', () => {
    spec
      .given([detector({ count: 2 })])
      .when(observe([11, 20]))
      .then([detector({ count: 3, mean: 15, variance: 25.5, lastValue: 20, lastAt: at(11) })]);
  });

  it('given a detector, when a reading older than its last arrives late, then it is judged and the newest stays last', () => {
    spec
      .given([detector({})])
      .when(observe([9, 20]))
      .then([
        {
          type: 'AnomalyFound',
          data: {
            deviceId: 'd-1',
            metric: 'temperature',
            deviceType: 'default',
            value: 20,
            at: at(9),
            mean: 10,
            stddev: 1,
            zScore: 10,
            threshold: 5,
          },
        },
        detector({ count: 101, mean: 15, variance: 25.5, lastValue: 10, lastAt: at(10) }),
      ]);
  });

  it('given a perfectly flat signal, when it moves, then the z-score stays finite and it is an anomaly', () => {
    const events = detectAnomaliesDecider.decide(
      observe([11, 10.5]),
      detectAnomaliesDecider.evolve({}, detector({ variance: 0 })),
    );
    expect(events[0]?.type).toBe('AnomalyFound');
    expect(Number.isFinite((events[0]?.data as { zScore: number }).zScore)).toBe(true);
  });
});
