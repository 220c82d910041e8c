import { badInput, defineEdge, notFound } from '@eventline/kit';
import { readLatest } from '../../latest-readings';
import { parseSeriesQuery } from '../../domain/series-query';
import { seriesPoints } from '../../series';

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Device queries: GET /devices/:id answers each metric's latest reading (from Redis, or the
 * series when Redis has none or is down); GET /devices/:id/series answers a metric downsampled to
 * avg/min/max per step.
 */
export const devicesApi = defineEdge({
  name: 'devices-api',
  routes(router, { pool, cache }) {
    router.get('/devices/:id', async (req, res) => {
      const deviceId = req.params.id;
      if (!DEVICE_ID.test(deviceId))
        throw badInput('device id must be 1-64 letters, digits, ".", "_", ":" or "-"');
      const { readings, from } = await readLatest(cache, pool, deviceId);
      if (readings.length === 0) throw notFound(`no readings of device "${deviceId}"`);
      res.set('x-eventline-read-from', from).json({ deviceId, latest: readings });
    });

    router.get('/devices/:id/series', async (req, res) => {
      const query = parseSeriesQuery(
        req.params.id,
        req.query as Record<string, unknown>,
        new Date(),
      );
      if ('error' in query) throw badInput(query.error);
      const points = await seriesPoints(pool, query);
      res.json({
        deviceId: query.deviceId,
        metric: query.metric,
        from: query.from.toISOString(),
        to: query.to.toISOString(),
        step: query.stepSeconds,
        points,
      });
    });
  },
});
