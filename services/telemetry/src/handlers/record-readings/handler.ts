import { defineHandler, outgoing } from '@eventline/kit';
import { AnomalyDetected, TelemetryReadingsReceived } from '@eventline/events';
import { retentionCutoff, telemetryConfig } from '../../config';
import { lockDetectors, recordDevicesSeen, saveDetectors } from '../../detectors';
import { detectAnomaliesDecider, type DetectorUpdated } from '../../domain/detector';
import { putLatest } from '../../latest-readings';
import { dayOf, ensurePartitions, insertReadings } from '../../series';
import { recordReadingsDecider, type LatestReadingsSeen } from './decider';

/**
 * Stores a batch in the day-partitioned series and runs its new readings through the streaming
 * detectors of their devices and metrics, in one transaction with the batch's claim and the
 * AnomalyDetected events it emits. The series' unique key tells which readings are new, so a
 * batch sent again (a redelivery, a client's retry) inserts nothing twice and the detectors see
 * each reading once; their state lives in Postgres, so a restart or a scale to zero loses
 * nothing (Redis could not commit with the claim). Once committed, each device's latest readings
 * in Redis move forward.
 */
export const recordReadings = defineHandler({
  name: 'record-readings',
  accepts: TelemetryReadingsReceived,
  emits: [AnomalyDetected],
  async handle({ readings }, { tx, cache, afterCommit }) {
    const config = telemetryConfig();
    const oldestKept = retentionCutoff(new Date(), config.TELEMETRY_RETENTION_DAYS);
    const recorded = recordReadingsDecider.decide({
      type: 'RecordReadings',
      data: { readings, oldestKept: oldestKept.toISOString() },
    });
    const stored = recorded.flatMap((e) => (e.type === 'ReadingsStored' ? e.data.readings : []));
    if (stored.length === 0) return;
    await ensurePartitions(tx, new Set(stored.map((r) => dayOf(new Date(r.at)))));
    const fresh = await insertReadings(tx, stored);

    const detected = detectAnomaliesDecider.decide(
      {
        type: 'ObserveReadings',
        data: { readings: fresh, settings: config.TELEMETRY_DEVICE_TYPES },
      },
      fresh.length > 0 ? await lockDetectors(tx, fresh) : {},
    );
    const updates = detected.filter((e): e is DetectorUpdated => e.type === 'DetectorUpdated');
    await saveDetectors(
      tx,
      updates.map((u) => u.data),
    );
    await recordDevicesSeen(tx, lastSeen(updates));

    const latest = recorded.filter((e): e is LatestReadingsSeen => e.type === 'LatestReadingsSeen');
    afterCommit(async () => {
      await Promise.all(latest.map(({ data }) => putLatest(cache, data.deviceId, data.latest)));
    });
    return {
      emit: detected.flatMap((e) =>
        e.type === 'AnomalyFound'
          ? [outgoing(AnomalyDetected, e.data, { partitionkey: e.data.deviceId })]
          : [],
      ),
    };
  },
});

/** Per device, its newest reading's time and its type, from the detectors that moved. */
function lastSeen(updates: DetectorUpdated[]) {
  const seen = new Map<string, { deviceId: string; deviceType: string; lastSeenAt: string }>();
  for (const { data } of updates) {
    const earlier = seen.get(data.deviceId);
    if (!earlier || earlier.lastSeenAt < data.state.lastAt)
      seen.set(data.deviceId, {
        deviceId: data.deviceId,
        deviceType: data.state.deviceType,
        lastSeenAt: data.state.lastAt,
      });
  }
  return [...seen.values()];
}
