import { runService } from '@eventline/kit';
import { housekeepingService } from './service';

void runService(housekeepingService);
