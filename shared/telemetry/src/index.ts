export { createLogger, redactUrl, type Logger } from './logger';
export {
  startTelemetry,
  stopTelemetry,
  contextFromTraceparent,
  currentTraceparent,
  inSpan,
} from './tracing';
