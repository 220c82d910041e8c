import { JSONPath } from 'jsonpath-plus';
import { evaluateIntrinsic, isIntrinsic, type EvaluationScope } from './intrinsics';
import { StatesError } from './states-error';

/**
 * Paths are evaluated by jsonpath-plus, which reads almost any string as some path; these
 * patterns hold a definition to the JSONPath syntax ASL documents, so a typo is refused at load
 * instead of selecting nothing at run time.
 */
const NAME = '[A-Za-z_][\\w-]*';
const SEGMENT = `(?:\\.${NAME}|\\.\\*|\\[\\d+\\]|\\['[^']*'\\]|\\[\\*\\]|\\.\\.${NAME}|\\[\\?\\([^\\]]+\\)\\]|\\[-?\\d*:-?\\d*\\]|\\[\\d+(?:,\\d+)+\\])`;
const PATH = new RegExp(`^\\$\\$?${SEGMENT}*$`);
const REFERENCE_SEGMENT = `(?:\\.${NAME}|\\[\\d+\\]|\\['[^']*'\\])`;
const REFERENCE_PATH = new RegExp(`^\\$${REFERENCE_SEGMENT}*$`);
const INDEFINITE = /\*|\.\.|\[\?|:|,/;

export function checkPath(path: string): string | undefined {
  return PATH.test(path) ? undefined : `is not a valid JSONPath: ${JSON.stringify(path)}`;
}

/** ResultPath must say where one value goes: no wildcards, filters or the context object. */
export function checkReferencePath(path: string): string | undefined {
  return REFERENCE_PATH.test(path)
    ? undefined
    : `is not a reference path (like $.a.b or $['a'][0]): ${JSON.stringify(path)}`;
}

/** `$$.x` reads the context object (execution, state, map item), `$.x` the data. */
export function readPath(data: unknown, path: string, context: unknown): unknown {
  const fromContext = path.startsWith('$$');
  const target = fromContext ? context : data;
  const jsonPath = fromContext ? path.slice(1) : path;
  if (jsonPath === '$') return target;
  const found = JSONPath({ path: jsonPath, json: target as object, wrap: true }) as unknown[];
  if (INDEFINITE.test(jsonPath)) return found;
  if (found.length === 0) {
    throw new StatesError('States.Runtime', `the path ${path} selects nothing in the input`);
  }
  return found[0];
}

function referenceSegments(path: string): (string | number)[] {
  return (JSONPath.toPathArray(path) as string[])
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** ResultPath: the raw input with the result placed at path (null: the input alone). */
export function placeResult(
  input: unknown,
  path: string | null | undefined,
  result: unknown,
): unknown {
  if (path === null) return input;
  if (path === undefined || path === '$') return result;
  const segments = referenceSegments(path);
  // Data is JSON (it is stored as such), so a JSON copy is a faithful one.
  const root: unknown = JSON.parse(JSON.stringify(input ?? {}));
  if (typeof root !== 'object' || root === null) {
    throw new StatesError('States.Runtime', `ResultPath ${path} needs an object input`);
  }
  let node = root as Record<string | number, unknown>;
  segments.forEach((segment, i) => {
    if (i === segments.length - 1) {
      node[segment] = result;
      return;
    }
    const next = node[segment];
    if (typeof next !== 'object' || next === null) node[segment] = {};
    node = node[segment] as Record<string | number, unknown>;
  });
  return root;
}

/** InputPath / OutputPath: undefined passes everything, null passes {}. */
export function selectPath(
  data: unknown,
  path: string | null | undefined,
  context: unknown,
): unknown {
  if (path === undefined) return data;
  if (path === null) return {};
  return readPath(data, path, context);
}

/** Parameters, ResultSelector, ItemSelector: a payload template, `key.$` fields resolved. */
export function applyTemplate(template: unknown, data: unknown, scope: EvaluationScope): unknown {
  if (Array.isArray(template)) return template.map((t) => applyTemplate(t, data, scope));
  if (typeof template !== 'object' || template === null) return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && typeof value === 'string') {
      out[key.slice(0, -2)] = isIntrinsic(value)
        ? evaluateIntrinsic(value, data, scope)
        : readPath(data, value, scope.context);
    } else {
      out[key] = applyTemplate(value, data, scope);
    }
  }
  return out;
}
