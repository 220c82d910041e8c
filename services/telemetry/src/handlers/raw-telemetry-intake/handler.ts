import { badInput, defineHandler, outgoing } from '@eventline/kit';
import { KafkaRecordEvent, TelemetryReadingsReceived } from '@eventline/events';
import { readingLimits, telemetryConfig } from '../../config';
import { parseRawRecord } from '../../domain/reading';
import { acceptReadingsDecider } from '../../domain/accept-readings';

/**
 * The raw topic's records, as the KafkaSource delivers them: one reading or a batch per record.
 * A malformed record is refused with its reason (400, so the broker dead-letters it at once and
 * goes on with the next record); a valid one is announced in batches like the HTTP edge's.
 */
export const rawTelemetryIntake = defineHandler({
  name: 'raw-telemetry-intake',
  accepts: KafkaRecordEvent,
  emits: [TelemetryReadingsReceived],
  async handle(record) {
    const readings = parseRawRecord(record, readingLimits());
    if ('error' in readings) throw badInput(`raw telemetry record: ${readings.error}`);
    const batches = acceptReadingsDecider.decide({
      type: 'AcceptReadings',
      data: { readings, batchSize: telemetryConfig().TELEMETRY_BATCH_SIZE },
    });
    return {
      emit: batches.map(({ data, group }) =>
        outgoing(TelemetryReadingsReceived, data, { partitionkey: `device-group-${group}` }),
      ),
    };
  },
});
