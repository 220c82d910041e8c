import type { Decider } from '@eventline/eventstore';
import type { Reading } from '../../domain/reading';

export type RecordReadings = {
  type: 'RecordReadings';
  data: { readings: Reading[]; /** readings before this are past retention */ oldestKept: string };
};

export type ReadingsStored = { type: 'ReadingsStored'; data: { readings: Reading[] } };
export type LatestReadingsSeen = {
  type: 'LatestReadingsSeen';
  data: { deviceId: string; latest: Record<string, { value: number; at: string }> };
};
export type RecordReadingsEvent = ReadingsStored | LatestReadingsSeen;

/**
 * What a batch adds to the series: its readings still within retention (older ones would land
 * in a partition already dropped), each (device, metric, at) once, and per device the newest
 * reading of each metric for the latest-values view.
 */
export const recordReadingsDecider = {
  initialState: (): undefined => undefined,
  evolve: (): undefined => undefined,
  decide({ data }: RecordReadings): RecordReadingsEvent[] {
    const kept = new Map<string, Reading>();
    for (const reading of data.readings) {
      if (reading.at < data.oldestKept) continue;
      kept.set(`${reading.deviceId}/${reading.metric}@${reading.at}`, reading);
    }
    if (kept.size === 0) return [];
    const latest = new Map<string, Record<string, { value: number; at: string }>>();
    for (const { deviceId, metric, value, at } of kept.values()) {
      const device = latest.get(deviceId) ?? {};
      const current = device[metric];
      if (!current || current.at < at) device[metric] = { value, at };
      latest.set(deviceId, device);
    }
    return [
      { type: 'ReadingsStored', data: { readings: [...kept.values()] } },
      ...[...latest].map(([deviceId, metrics]): LatestReadingsSeen => ({
        type: 'LatestReadingsSeen',
        data: { deviceId, latest: metrics },
      })),
    ];
  },
} satisfies Decider<undefined, RecordReadings, RecordReadingsEvent>;
