import { defineJob } from '@eventline/kit';
import { retentionCutoff, telemetryConfig } from '../../config';
import { daysFrom, dropPartitionsBefore, ensurePartitions } from '../../series';

/**
 * The series' retention and its calendar: drops the day partitions older than
 * TELEMETRY_RETENTION_DAYS (whole tables, no row deletes) and creates today's and the next
 * TELEMETRY_PARTITIONS_AHEAD_DAYS days' partitions, so writers find them ready.
 */
export const telemetryRetention = defineJob({
  name: 'telemetry-retention',
  async run({ transact }) {
    const config = telemetryConfig();
    const now = new Date();
    return transact(async (tx) => {
      const dropped = await dropPartitionsBefore(
        tx,
        retentionCutoff(now, config.TELEMETRY_RETENTION_DAYS),
      );
      const created = await ensurePartitions(
        tx,
        daysFrom(now, config.TELEMETRY_PARTITIONS_AHEAD_DAYS + 1),
      );
      return { result: { dropped: dropped.length, created } };
    });
  },
});
