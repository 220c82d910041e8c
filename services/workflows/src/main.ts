import { runService } from '@eventline/kit';
import { workflowsService } from './service';

void runService(workflowsService);
