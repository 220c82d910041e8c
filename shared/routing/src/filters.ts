import { CesqlError, compile } from '@eventline/cesql';
import type { FilterExpression } from './routing';

/**
 * The rules a Trigger's `filters` meets on a cluster, checked on the routing file so that a file
 * the cluster would refuse, or would run differently from the local broker, is refused here.
 * Sources are knative/eventing at knative-v1.22.2, the version the chart targets.
 */

// pkg/apis/eventing/v1/trigger_validation.go:182 (ValidateAttributesNames)
const ATTRIBUTE_NAME = /^[a-z][a-z0-9]*$/;
const DIALECTS = ['exact', 'prefix', 'suffix', 'all', 'any', 'not', 'cesql'] as const;

type Dialect = (typeof DIALECTS)[number];

function attributeProblem(
  dialect: 'exact' | 'prefix' | 'suffix',
  attributes: Record<string, string>,
  field: string,
): string | undefined {
  const entries = Object.entries(attributes);
  // An empty map is no dialect to Knative (trigger_validation.go hasMultipleDialects) and
  // matches every event; it is almost always a mistake.
  if (entries.length === 0) return `${field}: names no attribute`;
  for (const [name, value] of entries) {
    if (!ATTRIBUTE_NAME.test(name)) {
      return `${field}.${name}: invalid key name "${name}": Attribute name must start with a letter and can only contain lowercase alphanumeric`;
    }
    // The webhook lets an empty value through, but the broker's filter refuses it
    // (pkg/eventfilter/subscriptionsapi/exact_filter.go:41, likewise prefix and suffix) and then
    // skips the whole expression (create.go:81): the trigger would take every event.
    if (value === '') {
      return `${field}.${name}: the ${dialect} value must not be empty (Knative's broker skips such a filter and delivers every event)`;
    }
  }
  return undefined;
}

function cesqlProblem(expression: string, field: string): string | undefined {
  // pkg/apis/eventing/v1/trigger_validation.go:213 (ValidateCESQLExpression): the expression
  // must parse, or the webhook answers "invalid value".
  try {
    const parsed = compile(expression);
    if (parsed.mixesLogicalOperators) {
      // Not a webhook rule: CESQL chains AND, OR and XOR left to right (spec §3.6) while the
      // grammar Knative's evaluators are generated from groups them from the right, so such an
      // expression selects different events here and on the cluster.
      return `${field}: "${expression}" mixes AND, OR and XOR without parentheses, which CESQL evaluates left to right and Knative's brokers from the right: add parentheses, e.g. (a AND b) OR c`;
    }
    return undefined;
  } catch (error) {
    if (error instanceof CesqlError)
      return `${field}: invalid value: ${expression}: ${error.message}`;
    throw error;
  }
}

/** The first rule a list of `filters` expressions breaks, as "<field>: <reason>". */
export function filtersProblem(filters: FilterExpression[], field: string): string | undefined {
  for (const [index, expression] of filters.entries()) {
    const problem = expressionProblem(expression, `${field}[${index}]`);
    if (problem) return problem;
  }
  return undefined;
}

function expressionProblem(expression: FilterExpression, field: string): string | undefined {
  const dialects = DIALECTS.filter((d) => d in expression);
  // pkg/apis/eventing/v1/trigger_validation.go:244 (ValidateOneOf)
  if (dialects.length > 1) {
    return `${field}: multiple dialects found, filters can have only one dialect set (${dialects.join(', ')})`;
  }
  const [dialect] = dialects as [Dialect | undefined];
  const record = expression as Record<Dialect, unknown>;
  switch (dialect) {
    case undefined:
      return `${field}: names no dialect (one of ${DIALECTS.join(', ')})`;
    case 'exact':
    case 'prefix':
    case 'suffix':
      return attributeProblem(
        dialect,
        record[dialect] as Record<string, string>,
        `${field}.${dialect}`,
      );
    case 'all':
    case 'any': {
      const nested = record[dialect] as FilterExpression[];
      // trigger_types.go:129 and :135 say it "must contain at least one filter expression";
      // the broker treats an empty one as no filter at all, so an empty `any` would match
      // every event on the cluster and none here.
      if (nested.length === 0)
        return `${field}.${dialect}: must contain at least one filter expression`;
      return filtersProblem(nested, `${field}.${dialect}`);
    }
    case 'not':
      return expressionProblem(record.not as FilterExpression, `${field}.not`);
    case 'cesql':
      return cesqlProblem(record.cesql as string, `${field}.cesql`);
  }
}
