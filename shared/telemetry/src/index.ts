export { createLogger, redactUrl, type Logger } from './logger';
export {
  startTelemetry,
  stopTelemetry,
  contextFromTraceparent,
  currentTraceparent,
  inSpan,
  inRecordedSpan,
  inRequestTrace,
  requestParent,
} from './tracing';
export { eventlineMeter, instruments, serveMetrics, SECONDS_BUCKETS } from './metrics';
export type { Attributes, BatchObservableResult, ObservableResult } from '@opentelemetry/api';
