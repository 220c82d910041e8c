export { housekeepingService as service } from './service';
