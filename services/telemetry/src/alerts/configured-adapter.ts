import { telemetryConfig } from '../config';
import type { AlertAdapter } from './alert-adapter';
import { SimulatedAlertAdapter } from './simulated-adapter';
import { WebhookAlertAdapter } from './webhook-adapter';

let adapter: AlertAdapter | undefined;

/** The webhook of TELEMETRY_ALERT_WEBHOOK_URL, or the simulated receiver without one. */
export function alertAdapter(): AlertAdapter {
  const config = telemetryConfig();
  adapter ??= config.TELEMETRY_ALERT_WEBHOOK_URL
    ? new WebhookAlertAdapter(config.TELEMETRY_ALERT_WEBHOOK_URL, config.TELEMETRY_ALERT_TIMEOUT_MS)
    : new SimulatedAlertAdapter();
  return adapter;
}
