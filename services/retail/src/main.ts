import { runService } from '@eventline/kit';
import { retailService } from './service';

void runService(retailService);
