import { runService } from '@eventline/kit';
import { telemetryService } from './service';

void runService(telemetryService);
