import { defineHandler } from '@eventline/kit';
import { AnomalyDetected } from '@eventline/events';
import { alertAdapter } from '../../alerts/configured-adapter';
import { raiseAlert } from '../../alerts/alert-store';

/** Stores an alert for each AnomalyDetected, once per reading, and sends it to the alert adapter. */
export const alertOnAnomaly = defineHandler({
  name: 'alert-on-anomaly',
  accepts: AnomalyDetected,
  async handle(anomaly, { tx, log }) {
    const raised = await raiseAlert(tx, alertAdapter(), {
      cause: `anomaly:${anomaly.deviceId}/${anomaly.metric}@${anomaly.at}`,
      deviceId: anomaly.deviceId,
      kind: 'anomaly',
      metric: anomaly.metric,
      raisedAt: anomaly.at,
      details: {
        value: anomaly.value,
        mean: anomaly.mean,
        stddev: anomaly.stddev,
        zScore: anomaly.zScore,
        threshold: anomaly.threshold,
        deviceType: anomaly.deviceType,
      },
    });
    if (raised)
      log.info({ deviceId: anomaly.deviceId, metric: anomaly.metric }, 'anomaly alert raised');
  },
});
