import { eventStoreMigrationsIn } from '@eventline/eventstore';
import { defineService } from '@eventline/kit';
import { workflowEcho } from './handlers/workflow-echo/handler';
import { workflowTaskOutcome } from './handlers/workflow-task-outcome/handler';
import { workflowTimers } from './handlers/workflow-timers/handler';
import { workflowsApi } from './handlers/workflows-api/handler';
import { WORKFLOW_EVENTS_SCHEMA } from './executions';
import { workflowsMigrations } from './migrations';

export const workflowsService = defineService({
  package: 'workflows',
  schema: 'workflows',
  migrations: workflowsMigrations,
  uses: [
    { schema: WORKFLOW_EVENTS_SCHEMA, migrations: eventStoreMigrationsIn(WORKFLOW_EVENTS_SCHEMA) },
  ],
  handlers: [workflowsApi, workflowTaskOutcome, workflowTimers, workflowEcho],
});
