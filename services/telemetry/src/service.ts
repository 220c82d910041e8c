import { defineService } from '@eventline/kit';
import { alertOnAnomaly } from './handlers/alert-on-anomaly/handler';
import { alertOnSilence } from './handlers/alert-on-silence/handler';
import { alertsApi } from './handlers/alerts-api/handler';
import { deviceSilence } from './handlers/device-silence/handler';
import { devicesApi } from './handlers/devices-api/handler';
import { rawTelemetryIntake } from './handlers/raw-telemetry-intake/handler';
import { recordReadings } from './handlers/record-readings/handler';
import { telemetryApi } from './handlers/telemetry-api/handler';
import { telemetryRetention } from './handlers/telemetry-retention/handler';
import { telemetryMigrations } from './migrations';

export const telemetryService = defineService({
  package: 'telemetry',
  schema: 'telemetry',
  migrations: telemetryMigrations,
  handlers: [
    telemetryApi,
    rawTelemetryIntake,
    recordReadings,
    alertOnAnomaly,
    alertOnSilence,
    devicesApi,
    alertsApi,
    telemetryRetention,
    deviceSilence,
  ],
});
