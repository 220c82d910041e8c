import { runService } from '@eventline/kit';
import { flagsService } from './service';

void runService(flagsService);
