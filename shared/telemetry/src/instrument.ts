/**
 * Loaded first by an entry point (the kit's index, the local runtime's CLI) when it is required:
 * the instrumentations patch express, pg, ioredis and node:http as those load, so the tracing SDK
 * must start before them. It starts only when trace export is asked for; otherwise the handler
 * starts telemetry itself, named after itself, once its configuration is read.
 */
import { exportRequested, startTelemetry } from './tracing';

if (exportRequested(process.env)) {
  startTelemetry(process.env.EVENTLINE_HANDLER || 'eventline-local');
}
