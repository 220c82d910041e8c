import { defineService } from '@eventline/kit';
import { deadLetters } from './handlers/dead-letters';
import { deadLetterMigrations } from './migrations';

export const deadLettersService = defineService({
  package: 'dead-letters',
  schema: 'dead_letters',
  migrations: deadLetterMigrations,
  handlers: [deadLetters],
});
