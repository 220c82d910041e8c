import { defineService } from '@eventline/kit';
import { flagsApi } from './handlers/flags-api/handler';
import { flagsProjection } from './handlers/flags-projection/handler';
import { flagsMigrations } from './migrations';

export const flagsService = defineService({
  package: 'flags',
  schema: 'flags',
  migrations: flagsMigrations,
  handlers: [flagsApi, flagsProjection],
});
