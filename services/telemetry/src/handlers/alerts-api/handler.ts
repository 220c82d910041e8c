import { badInput, defineEdge } from '@eventline/kit';
import { listAlerts } from '../../alerts/alert-store';

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** GET /alerts?deviceId=&limit= : the newest stored alerts, of one device or of all. */
export const alertsApi = defineEdge({
  name: 'alerts-api',
  routes(router, { pool }) {
    router.get('/alerts', async (req, res) => {
      const { deviceId, limit } = req.query as Record<string, unknown>;
      if (deviceId !== undefined && (typeof deviceId !== 'string' || !DEVICE_ID.test(deviceId)))
        throw badInput('deviceId must be 1-64 letters, digits, ".", "_", ":" or "-"');
      const count = limit === undefined ? 100 : Number(limit);
      if (!Number.isInteger(count) || count < 1 || count > 1000)
        throw badInput('limit must be a whole number from 1 to 1000');
      res.json({
        alerts: await listAlerts(pool, { deviceId: deviceId as string | undefined, limit: count }),
      });
    });
  },
});
