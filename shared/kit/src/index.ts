// First: when traces are exported, the instrumentations must patch express, pg and ioredis
// before anything below loads them.
import '@eventline/telemetry/instrument';

export {
  defineHandler,
  defineEdge,
  defineJob,
  defineService,
  ANY_EVENT,
  type HandlerDefinition,
  type HandlerContext,
  type HandlerResult,
  type EdgeContext,
  type JobContext,
  type JobReport,
  type TransactOptions,
  type TransactionWork,
  type ServiceDefinition,
} from './definitions';
export { outgoing, toCloudEvent, correlationOf, type OutgoingEvent } from './outgoing-event';
export {
  HandlerError,
  badInput,
  unprocessable,
  conflict,
  transient,
  notFound,
  overloaded,
  statusFor,
  type ErrorKind,
} from './errors';
export { requestDigest, type IdempotencyKeyOptions } from './idempotency-key';
export {
  readConfig,
  handlerEnvSchema,
  migrationEnvSchema,
  ConfigError,
  type HandlerEnv,
} from './config';
export { dataValidator, acceptedDataValidator } from './data-validation';
export { unstorableProblem } from './storable-text';
export { startHandler, type RunningHandler, type StartOptions } from './server';
export { runService, migrateService, packageDatabase } from './run-service';
