export { fraudService as service } from './service';
