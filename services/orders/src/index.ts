export { ordersService as service } from './service';
