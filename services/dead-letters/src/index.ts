export { deadLettersService as service } from './service';
