import { defineHandler } from '@eventline/kit';
import { DeviceSilent } from '@eventline/events';
import { alertAdapter } from '../../alerts/configured-adapter';
import { raiseAlert } from '../../alerts/alert-store';

/** Stores an alert for each DeviceSilent, once per silence, and sends it to the alert adapter. */
export const alertOnSilence = defineHandler({
  name: 'alert-on-silence',
  accepts: DeviceSilent,
  async handle(silent, { tx, log }) {
    const raised = await raiseAlert(tx, alertAdapter(), {
      cause: `silence:${silent.deviceId}@${silent.lastSeenAt}`,
      deviceId: silent.deviceId,
      kind: 'silence',
      raisedAt: new Date(
        new Date(silent.lastSeenAt).getTime() + silent.silentForSeconds * 1000,
      ).toISOString(),
      details: {
        lastSeenAt: silent.lastSeenAt,
        silentForSeconds: silent.silentForSeconds,
        expectedIntervalSeconds: silent.expectedIntervalSeconds,
        deviceType: silent.deviceType,
      },
    });
    if (raised) log.info({ deviceId: silent.deviceId }, 'silence alert raised');
  },
});
