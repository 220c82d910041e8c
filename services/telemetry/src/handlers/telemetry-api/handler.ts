import { badInput, defineEdge, outgoing } from '@eventline/kit';
import { TelemetryReadingsReceived } from '@eventline/events';
import { readingLimits, telemetryConfig } from '../../config';
import { parseReadings } from '../../domain/reading';
import { acceptReadingsDecider } from '../../domain/accept-readings';

/**
 * The HTTP ingest for devices without Kafka: POST /telemetry {"readings": [...]} validates every
 * reading and announces them in batches of TELEMETRY_BATCH_SIZE, one CloudEvent each, through
 * the outbox (an Idempotency-Key makes a client's retry announce nothing twice).
 */
export const telemetryApi = defineEdge({
  name: 'telemetry-api',
  emits: [TelemetryReadingsReceived],
  routes(router, { transact }) {
    router.post('/telemetry', async (req, res) => {
      const readings = parseReadings(req.body, readingLimits());
      if ('error' in readings) throw badInput(readings.error);
      const batches = acceptReadingsDecider.decide({
        type: 'AcceptReadings',
        data: { readings, batchSize: telemetryConfig().TELEMETRY_BATCH_SIZE },
      });
      const accepted = await transact(
        async () => ({
          result: { accepted: readings.length, batches: batches.length },
          emit: batches.map(({ data, group }) =>
            outgoing(TelemetryReadingsReceived, data, { partitionkey: `device-group-${group}` }),
          ),
        }),
        { idempotencyKey: { req } },
      );
      res.status(202).json(accepted);
    });
  },
});
