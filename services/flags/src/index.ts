export { flagsService as service } from './service';
