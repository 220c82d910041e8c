export { telemetryService as service } from './service';
