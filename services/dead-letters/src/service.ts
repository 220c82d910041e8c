import { defineService } from '@eventline/kit';
import { dashboard } from './handlers/dashboard/handler';
import { deadLetters } from './handlers/dead-letters/handler';
import { deadLetterMigrations } from './migrations';

export const deadLettersService = defineService({
  package: 'dead-letters',
  schema: 'dead_letters',
  migrations: deadLetterMigrations,
  handlers: [deadLetters, dashboard],
});
