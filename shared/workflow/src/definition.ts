import { parse as parseYaml } from 'yaml';
import { isIntrinsic, validateIntrinsic } from './intrinsics';
import { checkPath, checkReferencePath } from './json-paths';

/** Amazon States Language, the part this engine runs (states-language.net). */
export interface StateMachine {
  Comment?: string;
  StartAt: string;
  States: Record<string, State>;
  TimeoutSeconds?: number;
}

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}

interface Common {
  Type: string;
  Comment?: string;
  Next?: string;
  End?: boolean;
  InputPath?: string | null;
  OutputPath?: string | null;
}

interface Result {
  Parameters?: unknown;
  ResultSelector?: unknown;
  ResultPath?: string | null;
}

interface Recovering {
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export interface TaskState extends Common, Result, Recovering {
  Type: 'Task';
  Resource: string;
  TimeoutSeconds?: number;
  HeartbeatSeconds?: number;
}

export interface PassState extends Common {
  Type: 'Pass';
  Result?: unknown;
  Parameters?: unknown;
  ResultPath?: string | null;
}

export interface WaitState extends Common {
  Type: 'Wait';
  Seconds?: number;
  Timestamp?: string;
  SecondsPath?: string;
  TimestampPath?: string;
}

export interface ChoiceRule {
  Variable?: string;
  Next?: string;
  And?: ChoiceRule[];
  Or?: ChoiceRule[];
  Not?: ChoiceRule;
  [comparison: string]: unknown;
}

export interface ChoiceState extends Common {
  Type: 'Choice';
  Choices: ChoiceRule[];
  Default?: string;
}

export interface ParallelState extends Common, Result, Recovering {
  Type: 'Parallel';
  Branches: StateMachine[];
}

export interface MapState extends Common, Result, Recovering {
  Type: 'Map';
  ItemsPath?: string;
  ItemSelector?: unknown;
  ItemProcessor?: StateMachine;
  Iterator?: StateMachine;
  MaxConcurrency?: number;
}

export interface SucceedState extends Common {
  Type: 'Succeed';
}

export interface FailState extends Common {
  Type: 'Fail';
  Error?: string;
  Cause?: string;
  ErrorPath?: string;
  CausePath?: string;
}

export type State =
  | TaskState
  | PassState
  | WaitState
  | ChoiceState
  | ParallelState
  | MapState
  | SucceedState
  | FailState;

/** A definition the engine refuses, naming the state (or `definition` for the top level). */
export class WorkflowDefinitionError extends Error {
  constructor(
    readonly state: string,
    readonly problem: string,
  ) {
    super(state === '' ? problem : `state ${state}: ${problem}`);
    this.name = 'WorkflowDefinitionError';
  }
}

/** Resources are CloudEvent types: `eventline:<type>`. */
export const RESOURCE_PREFIX = 'eventline:';

/** The most items a Map runs, and at once: a Map is bounded (a definition may ask for less). */
export const MAP_MAX_ITEMS = 1000;
export const MAP_MAX_CONCURRENCY = 40;

const STATE_TYPES = new Set([
  'Task',
  'Pass',
  'Wait',
  'Choice',
  'Parallel',
  'Map',
  'Succeed',
  'Fail',
]);
const TERMINAL_TYPES = new Set(['Succeed', 'Fail', 'Choice']);
const CLOUDEVENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9.\-_]{0,199}$/;

/**
 * Reads a definition as JSON or YAML text (or an already parsed object) and checks it whole,
 * so an execution never meets a broken state halfway.
 */
export function loadDefinition(source: string | unknown): StateMachine {
  let parsed: unknown = source;
  if (typeof source === 'string') {
    try {
      parsed = source.trimStart().startsWith('{') ? JSON.parse(source) : parseYaml(source);
    } catch (err) {
      throw new WorkflowDefinitionError('', `not JSON or YAML: ${(err as Error).message}`);
    }
  }
  validateMachine(parsed, '');
  return parsed as StateMachine;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateMachine(machine: unknown, where: string): void {
  const fail = (problem: string) => new WorkflowDefinitionError(where, problem);
  if (!isObject(machine)) throw fail('a state machine must be an object');
  if (typeof machine.StartAt !== 'string') throw fail('StartAt must name a state');
  if (!isObject(machine.States) || Object.keys(machine.States).length === 0) {
    throw fail('States must be an object with at least one state');
  }
  const states = machine.States as Record<string, unknown>;
  if (!(machine.StartAt in states)) throw fail(`StartAt names no state: ${machine.StartAt}`);
  optionalSeconds(machine.TimeoutSeconds, 'TimeoutSeconds', fail);
  for (const [name, state] of Object.entries(states)) {
    validateState(name, state, states);
  }
  const reached = reachable(machine.StartAt, states as Record<string, State>);
  for (const name of Object.keys(states)) {
    if (!reached.has(name)) {
      throw new WorkflowDefinitionError(name, `unreachable from StartAt ${machine.StartAt}`);
    }
  }
}

function transitionsOf(state: State): string[] {
  const next: string[] = [];
  if (state.Next !== undefined) next.push(state.Next);
  if (state.Type === 'Choice') {
    for (const rule of state.Choices) if (rule.Next !== undefined) next.push(rule.Next);
    if (state.Default !== undefined) next.push(state.Default);
  }
  if ('Catch' in state && state.Catch) for (const c of state.Catch) next.push(c.Next);
  return next;
}

function reachable(start: string, states: Record<string, State>): Set<string> {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const state = states[name];
    if (state) queue.push(...transitionsOf(state));
  }
  return seen;
}

function optionalSeconds(value: unknown, field: string, fail: (p: string) => Error): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > 99999999) {
    throw fail(`${field} must be a positive integer of seconds`);
  }
}

function validateState(name: string, raw: unknown, states: Record<string, unknown>): void {
  const fail = (problem: string) => new WorkflowDefinitionError(name, problem);
  if (name.length === 0 || name.length > 80) {
    throw new WorkflowDefinitionError(
      '',
      `States: a state name has 1 to 80 characters, not ${JSON.stringify(name)}`,
    );
  }
  if (!isObject(raw)) throw fail('a state must be an object');
  const type = raw.Type;
  if (typeof type !== 'string' || !STATE_TYPES.has(type)) {
    throw fail(`unknown state type ${JSON.stringify(type)}`);
  }
  const state = raw as unknown as State;
  const names = (target: unknown, field: string) => {
    if (typeof target !== 'string' || !(target in states)) {
      throw fail(`${field} names no state: ${JSON.stringify(target)}`);
    }
  };
  if (!TERMINAL_TYPES.has(type)) {
    if (state.End === true) {
      if (state.Next !== undefined) throw fail('has both Next and End');
    } else if (state.Next === undefined) {
      throw fail('missing Next (or End: true)');
    } else {
      names(state.Next, 'Next');
    }
  } else if (state.Next !== undefined || state.End !== undefined) {
    throw fail(`a ${type} state takes no Next or End`);
  }
  const path = (value: unknown, field: string, nullable = true) => {
    if (value === undefined || (nullable && value === null)) return;
    const problem = typeof value === 'string' ? checkPath(value) : 'must be a JSONPath string';
    if (problem) throw fail(`${field} ${problem}`);
  };
  path(state.InputPath, 'InputPath');
  path(state.OutputPath, 'OutputPath');
  if ('ResultPath' in state && state.ResultPath !== undefined && state.ResultPath !== null) {
    const problem =
      typeof state.ResultPath === 'string'
        ? checkReferencePath(state.ResultPath)
        : 'must be a JSONPath string or null';
    if (problem) throw fail(`ResultPath ${problem}`);
  }
  for (const field of ['Parameters', 'ResultSelector', 'ItemSelector'] as const) {
    if (field in state)
      validateTemplate((state as unknown as Record<string, unknown>)[field], field, fail);
  }
  if ('Retry' in state && state.Retry !== undefined) validateRetry(state.Retry, fail);
  if ('Catch' in state && state.Catch !== undefined) {
    if (!Array.isArray(state.Catch)) throw fail('Catch must be an array');
    state.Catch.forEach((catcher, i) => {
      if (!isObject(catcher)) throw fail(`Catch[${i}] must be an object`);
      errorEquals(catcher.ErrorEquals, `Catch[${i}]`, fail);
      names(catcher.Next, `Catch[${i}].Next`);
      if (catcher.ResultPath !== undefined && catcher.ResultPath !== null) {
        const problem =
          typeof catcher.ResultPath === 'string'
            ? checkReferencePath(catcher.ResultPath)
            : 'must be a JSONPath string or null';
        if (problem) throw fail(`Catch[${i}].ResultPath ${problem}`);
      }
    });
  }
  switch (state.Type) {
    case 'Task': {
      const resource = state.Resource;
      if (
        typeof resource !== 'string' ||
        !resource.startsWith(RESOURCE_PREFIX) ||
        !CLOUDEVENT_TYPE.test(resource.slice(RESOURCE_PREFIX.length))
      ) {
        throw fail(
          `Resource must be ${RESOURCE_PREFIX}<cloudevent type>, not ${JSON.stringify(resource)}`,
        );
      }
      optionalSeconds(state.TimeoutSeconds, 'TimeoutSeconds', fail);
      optionalSeconds(state.HeartbeatSeconds, 'HeartbeatSeconds', fail);
      if (
        state.HeartbeatSeconds !== undefined &&
        state.TimeoutSeconds !== undefined &&
        state.HeartbeatSeconds >= state.TimeoutSeconds
      ) {
        throw fail('HeartbeatSeconds must be less than TimeoutSeconds');
      }
      return;
    }
    case 'Wait': {
      const given = ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath'].filter(
        (f) => (state as unknown as Record<string, unknown>)[f] !== undefined,
      );
      if (given.length !== 1) {
        throw fail('a Wait needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath');
      }
      if (state.Seconds !== undefined) {
        if (!Number.isInteger(state.Seconds) || state.Seconds < 0) {
          throw fail('Seconds must be a non-negative integer');
        }
      }
      if (state.Timestamp !== undefined && !isTimestamp(state.Timestamp)) {
        throw fail('Timestamp must be an RFC 3339 timestamp');
      }
      path(state.SecondsPath, 'SecondsPath', false);
      path(state.TimestampPath, 'TimestampPath', false);
      return;
    }
    case 'Choice': {
      if (!Array.isArray(state.Choices) || state.Choices.length === 0) {
        throw fail('Choices must be a non-empty array');
      }
      state.Choices.forEach((rule, i) => {
        validateRule(rule, `Choices[${i}]`, fail, path);
        names(rule.Next, `Choices[${i}].Next`);
      });
      if (state.Default !== undefined) names(state.Default, 'Default');
      return;
    }
    case 'Parallel': {
      if (!Array.isArray(state.Branches) || state.Branches.length === 0) {
        throw fail('Branches must be a non-empty array');
      }
      state.Branches.forEach((branch, i) => validateMachine(branch, `${name}.Branches[${i}]`));
      return;
    }
    case 'Map': {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor === undefined) throw fail('a Map needs an ItemProcessor');
      validateMachine(processor, `${name}.ItemProcessor`);
      path(state.ItemsPath, 'ItemsPath', false);
      if (state.MaxConcurrency !== undefined) {
        if (!Number.isInteger(state.MaxConcurrency) || state.MaxConcurrency < 0) {
          throw fail('MaxConcurrency must be a non-negative integer');
        }
      }
      return;
    }
    case 'Fail':
      path(state.ErrorPath, 'ErrorPath', false);
      path(state.CausePath, 'CausePath', false);
      return;
    case 'Pass':
    case 'Succeed':
      return;
  }
}

function errorEquals(value: unknown, where: string, fail: (p: string) => Error): void {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((e) => typeof e !== 'string' || e.length === 0)
  ) {
    throw fail(`${where}.ErrorEquals must be a non-empty array of error names`);
  }
  if (value.includes('States.ALL') && value.length > 1) {
    throw fail(`${where}.ErrorEquals: States.ALL must appear alone`);
  }
}

function validateRetry(retry: unknown, fail: (p: string) => Error): void {
  if (!Array.isArray(retry)) throw fail('Retry must be an array');
  retry.forEach((r, i) => {
    if (!isObject(r)) throw fail(`Retry[${i}] must be an object`);
    errorEquals(r.ErrorEquals, `Retry[${i}]`, fail);
    const num = (field: string, ok: (n: number) => boolean, what: string) => {
      const v = r[field];
      if (v !== undefined && (typeof v !== 'number' || !ok(v))) {
        throw fail(`Retry[${i}].${field} must be ${what}`);
      }
    };
    num('IntervalSeconds', (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
    num('MaxAttempts', (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
    num('BackoffRate', (n) => n >= 1, 'at least 1.0');
    num('MaxDelaySeconds', (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
    if (
      r.JitterStrategy !== undefined &&
      r.JitterStrategy !== 'FULL' &&
      r.JitterStrategy !== 'NONE'
    ) {
      throw fail(`Retry[${i}].JitterStrategy must be FULL or NONE`);
    }
  });
}

const COMPARISONS = new Set([
  'StringEquals',
  'StringLessThan',
  'StringGreaterThan',
  'StringLessThanEquals',
  'StringGreaterThanEquals',
  'StringMatches',
  'NumericEquals',
  'NumericLessThan',
  'NumericGreaterThan',
  'NumericLessThanEquals',
  'NumericGreaterThanEquals',
  'BooleanEquals',
  'TimestampEquals',
  'TimestampLessThan',
  'TimestampGreaterThan',
  'TimestampLessThanEquals',
  'TimestampGreaterThanEquals',
  'IsNull',
  'IsPresent',
  'IsNumeric',
  'IsString',
  'IsBoolean',
  'IsTimestamp',
]);

/** The comparison a rule makes: its one key besides Variable and Next. */
export function comparisonOf(rule: ChoiceRule): string | undefined {
  return Object.keys(rule).find((k) => k !== 'Variable' && k !== 'Next' && k !== 'Comment');
}

function validateRule(
  rule: ChoiceRule,
  where: string,
  fail: (p: string) => Error,
  path: (value: unknown, field: string, nullable?: boolean) => void,
): void {
  if (!isObject(rule)) throw fail(`${where} must be an object`);
  if (rule.And !== undefined || rule.Or !== undefined) {
    const list = rule.And ?? rule.Or;
    if (!Array.isArray(list) || list.length === 0)
      throw fail(`${where} And/Or must be a non-empty array`);
    list.forEach((r, i) =>
      validateRule(r, `${where}.${rule.And ? 'And' : 'Or'}[${i}]`, fail, path),
    );
    return;
  }
  if (rule.Not !== undefined) {
    validateRule(rule.Not, `${where}.Not`, fail, path);
    return;
  }
  path(rule.Variable, `${where}.Variable`, false);
  if (rule.Variable === undefined) throw fail(`${where} needs a Variable`);
  const comparison = comparisonOf(rule);
  const base = comparison?.endsWith('Path') ? comparison.slice(0, -4) : comparison;
  if (comparison === undefined || base === undefined || !COMPARISONS.has(base)) {
    throw fail(`${where} has no known comparison (${comparison ?? 'none'})`);
  }
  if (comparison !== base) path(rule[comparison], `${where}.${comparison}`, false);
}

function validateTemplate(template: unknown, where: string, fail: (p: string) => Error): void {
  if (Array.isArray(template)) {
    template.forEach((t, i) => validateTemplate(t, `${where}[${i}]`, fail));
    return;
  }
  if (!isObject(template)) return;
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) {
      if (typeof value !== 'string') throw fail(`${where}.${key} must be a path or intrinsic`);
      const problem = isIntrinsic(value) ? validateIntrinsic(value) : checkPath(value);
      if (problem) throw fail(`${where}.${key} ${problem}`);
    } else {
      validateTemplate(value, `${where}.${key}`, fail);
    }
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value));
}

/** Every Task of a definition, nested branches and item processors included, with its type. */
export function taskResources(machine: StateMachine): { state: string; eventType: string }[] {
  return Object.entries(machine.States).flatMap(([name, state]) => {
    if (state.Type === 'Task') {
      return [{ state: name, eventType: state.Resource.slice(RESOURCE_PREFIX.length) }];
    }
    if (state.Type === 'Parallel') return state.Branches.flatMap(taskResources);
    if (state.Type === 'Map')
      return taskResources((state.ItemProcessor ?? state.Iterator) as StateMachine);
    return [];
  });
}

/**
 * A definition written for another platform (Step Functions' Lambda ARNs) with each Resource
 * the mapping names replaced, nested machines included; for loadDefinition to check next.
 */
export function mapResources(
  definition: unknown,
  mapping: Readonly<Record<string, string>>,
): unknown {
  if (!isObject(definition) || !isObject(definition.States)) return definition;
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => {
      if (!isObject(state)) return [name, state];
      const mapped: Record<string, unknown> = { ...state };
      if (typeof state.Resource === 'string' && state.Resource in mapping) {
        mapped.Resource = mapping[state.Resource];
      }
      if (Array.isArray(state.Branches)) {
        mapped.Branches = state.Branches.map((b: unknown) => mapResources(b, mapping));
      }
      for (const field of ['ItemProcessor', 'Iterator']) {
        if (state[field] !== undefined) mapped[field] = mapResources(state[field], mapping);
      }
      return [name, mapped];
    }),
  );
  return { ...definition, States: states };
}
