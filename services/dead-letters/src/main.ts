import { runService } from '@eventline/kit';
import { deadLettersService } from './service';

void runService(deadLettersService);
