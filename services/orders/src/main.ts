import { runService } from '@eventline/kit';
import { ordersService } from './service';

void runService(ordersService);
