import type { FilterExpression } from '@eventline/routing';

type Attributes = Record<string, unknown>;

function attribute(event: Attributes, name: string): string | undefined {
  const value = event[name];
  return value === undefined || value === null ? undefined : String(value);
}

function everyAttribute(
  event: Attributes,
  expected: Record<string, string>,
  test: (actual: string, wanted: string) => boolean,
): boolean {
  return Object.entries(expected).every(([name, wanted]) => {
    const actual = attribute(event, name);
    return actual !== undefined && test(actual, wanted);
  });
}

/** Evaluates one expression of Knative's `filters` dialect. */
export function matchesExpression(event: Attributes, expression: FilterExpression): boolean {
  if ('exact' in expression) return everyAttribute(event, expression.exact, (a, w) => a === w);
  if ('prefix' in expression)
    return everyAttribute(event, expression.prefix, (a, w) => a.startsWith(w));
  if ('suffix' in expression)
    return everyAttribute(event, expression.suffix, (a, w) => a.endsWith(w));
  if ('all' in expression) return expression.all.every((e) => matchesExpression(event, e));
  if ('any' in expression) return expression.any.some((e) => matchesExpression(event, e));
  return !matchesExpression(event, expression.not);
}

export interface TriggerFilter {
  /** `spec.filter.attributes`: exact AND match; an empty string matches any value */
  attributes?: Record<string, string>;
  /** `spec.filters`: when present, Knative evaluates these and ignores `filter` */
  filters?: FilterExpression[];
}

export function matchesTrigger(attributes: Attributes, filter: TriggerFilter): boolean {
  if (filter.filters && filter.filters.length > 0) {
    return filter.filters.every((e) => matchesExpression(attributes, e));
  }
  return Object.entries(filter.attributes ?? {}).every(([name, wanted]) => {
    const actual = attribute(attributes, name);
    return wanted === '' ? actual !== undefined : actual === wanted;
  });
}
