import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** What a handler committed to emit (outbox events and its reply), as CloudEvent JSON. */
export type EmittedEvents = (events: Array<Record<string, unknown>>) => void;

/**
 * Appends every event a handler emits to `<dir>/<handler>.jsonl`: the samples the contract tests
 * check against each consumer's schema (`npm run contracts:record` sets the directory while it
 * runs the system tests). Synchronous, so a process that stops right after a commit loses none.
 */
export function contractSampleRecorder(dir: string, handler: string): EmittedEvents {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${handler}.jsonl`);
  return (events) => {
    const lines = events.map(
      (e) =>
        `${JSON.stringify({ producer: handler, type: e.type, dataschema: e.dataschema, data: e.data })}\n`,
    );
    if (lines.length > 0) appendFileSync(file, lines.join(''));
  };
}
