export { retailService as service } from './service';
