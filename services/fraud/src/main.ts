import { runService } from '@eventline/kit';
import { fraudService } from './service';

void runService(fraudService);
