import {
  loadDefinition,
  taskResources,
  WorkflowDefinitionError,
  type StateMachine,
} from '@eventline/workflow';

import { MAX_DATA_BYTES, storedJsonProblem } from '../../stored-json';

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export type Parsed<T> = T | { error: string };

export function parseName(value: string, field: string): Parsed<string> {
  return NAME.test(value) ? value : { error: `${field} must be 1 to 64 letters, digits, _ or -` };
}

/**
 * A definition as the body itself (ASL as JSON) or as `{"definition": "<JSON or YAML text>"}`,
 * checked whole, every Task's Resource among the types the engine may send.
 */
export function parseDefinition(
  body: unknown,
  taskTypes: ReadonlySet<string>,
  maxBytes: number,
): Parsed<StateMachine> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      error:
        'the body must be a JSON object: an ASL definition, or {"definition": "<JSON or YAML>"}',
    };
  }
  const text = (body as { definition?: unknown }).definition;
  if (text !== undefined && typeof text !== 'string') {
    return { error: 'definition must be the JSON or YAML text of an ASL definition' };
  }
  const problem = storedJsonProblem(body, 'definition', maxBytes);
  if (problem) return { error: problem };
  try {
    const machine = loadDefinition(text ?? body);
    const unknownTask = taskResources(machine).find((t) => !taskTypes.has(t.eventType));
    if (unknownTask) {
      return {
        error: `state ${unknownTask.state}: Resource names ${unknownTask.eventType}, not a type workflows may send (${[...taskTypes].join(', ')})`,
      };
    }
    return machine;
  } catch (err) {
    if (!(err instanceof WorkflowDefinitionError)) throw err;
    // A state's problem names the state; one of the whole definition says where it came from.
    if (err.state !== '') return { error: err.message };
    return {
      error: `${text === undefined ? 'the body' : 'definition'} is not an ASL definition: ${err.message}`,
    };
  }
}

export function parseStart(body: unknown): Parsed<{ input: unknown }> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { error: 'the body must be a JSON object: {"input": ...}' };
  }
  const unknownField = Object.keys(body).find((k) => k !== 'input');
  if (unknownField) return { error: `the body has ${unknownField}, not a field (only input)` };
  const input = (body as { input?: unknown }).input ?? {};
  const problem = storedJsonProblem(input, 'input', MAX_DATA_BYTES);
  return problem ? { error: problem } : { input };
}

export function parseStop(body: unknown): Parsed<{ stop: { error: string; cause: string } }> {
  const stop = (body ?? {}) as { error?: unknown; cause?: unknown };
  if (typeof stop !== 'object' || Array.isArray(stop)) {
    return { error: 'the body must be a JSON object: {"error"?, "cause"?}' };
  }
  const unknownField = Object.keys(stop).find((k) => k !== 'error' && k !== 'cause');
  if (unknownField)
    return { error: `the body has ${unknownField}, not a field (only error, cause)` };
  if (
    stop.error !== undefined &&
    (typeof stop.error !== 'string' || stop.error.length === 0 || stop.error.length > 256)
  ) {
    return { error: 'error must be a string of 1 to 256 characters' };
  }
  if (stop.cause !== undefined && (typeof stop.cause !== 'string' || stop.cause.length > 32768)) {
    return { error: 'cause must be a string of at most 32768 characters' };
  }
  const problem = storedJsonProblem(stop, 'body', MAX_DATA_BYTES);
  if (problem) return { error: problem };
  return {
    stop: {
      error: (stop.error as string | undefined) ?? 'Stopped',
      cause: (stop.cause as string | undefined) ?? 'stopped by request',
    },
  };
}
