import { deciderSpec } from '@eventline/eventstore';
import { recordReadingsDecider, type RecordReadings } from './decider';

const spec = deciderSpec(recordReadingsDecider);
const reading = (deviceId: string, metric: string, value: number, at: string) => ({
  deviceId,
  metric,
  value,
  at,
});
const record = (...readings: ReturnType<typeof reading>[]): RecordReadings => ({
  type: 'RecordReadings',
  data: { readings, oldestKept: '2026-01-01T00:00:00.000Z' },
});

describe('recording a batch of readings', () => {
  it('given any series, when a batch arrives, then its readings are stored and each metric keeps its newest reading', () => {
    const a = reading('d-1', 'temp', 20, '2026-01-02T00:00:01.000Z');
    const b = reading('d-1', 'temp', 21, '2026-01-02T00:00:02.000Z');
    const c = reading('d-2', 'rpm', 900, '2026-01-02T00:00:01.000Z');
    spec
      .given([])
      .when(record(b, a, c))
      .then([
        { type: 'ReadingsStored', data: { readings: [b, a, c] } },
        {
          type: 'LatestReadingsSeen',
          data: { deviceId: 'd-1', latest: { temp: { value: 21, at: b.at } } },
        },
        {
          type: 'LatestReadingsSeen',
          data: { deviceId: 'd-2', latest: { rpm: { value: 900, at: c.at } } },
        },
      ]);
  });

  it('given any series, when a batch repeats a reading, then it is stored once', () => {
    const a = reading('d-1', 'temp', 20, '2026-01-02T00:00:01.000Z');
    spec
      .given([])
      .when(record(a, a))
      .then([
        { type: 'ReadingsStored', data: { readings: [a] } },
        {
          type: 'LatestReadingsSeen',
          data: { deviceId: 'd-1', latest: { temp: { value: 20, at: a.at } } },
        },
      ]);
  });

  it('given the retention, when a batch holds only readings older than it, then nothing is stored', () => {
    spec
      .given([])
      .when(record(reading('d-1', 'temp', 20, '2025-12-31T23:59:59.999Z')))
      .then([]);
  });
});
