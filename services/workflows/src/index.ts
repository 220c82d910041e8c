export { workflowsService as service } from './service';
export { putDefinition, latestDefinition, type StoredDefinition } from './definitions';
export {
  startExecution,
  advanceExecution,
  readExecution,
  executionStream,
  TASK_EXTENSION,
} from './executions';
