import { compile, type CesqlError } from '@eventline/cesql';
import type { FilterExpression } from '@eventline/routing';

type Attributes = Record<string, unknown>;

/** A trigger's filter, compiled once when the trigger is added and run for every event. */
export type AttributePredicate = (attributes: Attributes) => boolean;

export interface FilterHooks {
  /** a `cesql` expression met an error: the event does not pass (CESQL §1.2) */
  onEvaluationError?: (expression: string, error: CesqlError, attributes: Attributes) => void;
}

function attribute(event: Attributes, name: string): string | undefined {
  const value = event[name];
  return value === undefined || value === null ? undefined : String(value);
}

function everyAttribute(
  expected: Record<string, string>,
  test: (actual: string, wanted: string) => boolean,
): AttributePredicate {
  const entries = Object.entries(expected);
  return (event) =>
    entries.every(([name, wanted]) => {
      const actual = attribute(event, name);
      return actual !== undefined && test(actual, wanted);
    });
}

function compileCesql(source: string, hooks: FilterHooks): AttributePredicate {
  const expression = compile(source);
  const { onEvaluationError } = hooks;
  if (!onEvaluationError) return (event) => expression.test(event);
  return (event) => {
    const { value, error } = expression.evaluate(event);
    if (error) onEvaluationError(source, error, event);
    return value === true && error === undefined;
  };
}

/**
 * Compiles one expression of Knative's `filters` dialect; a `cesql` expression is parsed here,
 * once, and a syntax error throws.
 */
export function compileExpression(
  expression: FilterExpression,
  hooks: FilterHooks = {},
): AttributePredicate {
  if ('exact' in expression) return everyAttribute(expression.exact, (a, w) => a === w);
  if ('prefix' in expression) return everyAttribute(expression.prefix, (a, w) => a.startsWith(w));
  if ('suffix' in expression) return everyAttribute(expression.suffix, (a, w) => a.endsWith(w));
  if ('all' in expression) {
    const all = expression.all.map((e) => compileExpression(e, hooks));
    return (event) => all.every((test) => test(event));
  }
  if ('any' in expression) {
    const any = expression.any.map((e) => compileExpression(e, hooks));
    return (event) => any.some((test) => test(event));
  }
  if ('not' in expression) {
    const not = compileExpression(expression.not, hooks);
    return (event) => !not(event);
  }
  return compileCesql(expression.cesql, hooks);
}

export interface TriggerFilter {
  /** `spec.filter.attributes`: exact AND match; an empty string matches any value */
  attributes?: Record<string, string>;
  /** `spec.filters`: when present, Knative evaluates these and ignores `filter` */
  filters?: FilterExpression[];
}

export function compileTriggerFilter(
  filter: TriggerFilter,
  hooks: FilterHooks = {},
): AttributePredicate {
  if (filter.filters && filter.filters.length > 0) {
    return compileExpression({ all: filter.filters }, hooks);
  }
  const entries = Object.entries(filter.attributes ?? {});
  return (attributes) =>
    entries.every(([name, wanted]) => {
      const actual = attribute(attributes, name);
      return wanted === '' ? actual !== undefined : actual === wanted;
    });
}
