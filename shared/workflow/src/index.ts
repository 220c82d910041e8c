export {
  loadDefinition,
  taskResources,
  mapResources,
  WorkflowDefinitionError,
  RESOURCE_PREFIX,
  MAP_MAX_ITEMS,
  MAP_MAX_CONCURRENCY,
  type StateMachine,
  type State,
  type Retrier,
  type Catcher,
} from './definition';
export {
  initialExecutionState,
  evolveExecution,
  branchScope,
  nextDueAt,
  type WorkflowEvent,
  type WorkflowEventType,
  type WorkflowCommand,
  type ExecutionState,
  type ExecutionStatus,
} from './execution';
export { executionDecider, decideExecution, MAX_TRANSITIONS_PER_DECISION } from './interpreter';
export { StatesError } from './states-error';
