import { comparisonOf, isTimestamp, type ChoiceRule } from './definition';
import { readPath } from './json-paths';

function present(
  data: unknown,
  path: string,
  context: unknown,
): { found: boolean; value?: unknown } {
  try {
    return { found: true, value: readPath(data, path, context) };
  } catch {
    return { found: false };
  }
}

/** StringMatches: `*` any run of characters, `\*` and `\\` literal. */
function matches(value: string, pattern: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      regex += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (c === '*') {
      regex += '.*';
    } else {
      regex += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${regex}$`, 's').test(value);
}

function compare(kind: string, a: unknown, b: unknown): boolean {
  const order = (x: number | string, y: number | string, op: string) =>
    op === 'Equals'
      ? x === y
      : op === 'LessThan'
        ? x < y
        : op === 'GreaterThan'
          ? x > y
          : op === 'LessThanEquals'
            ? x <= y
            : x >= y;
  if (kind.startsWith('String')) {
    if (typeof a !== 'string' || typeof b !== 'string') return false;
    return kind === 'StringMatches' ? matches(a, b) : order(a, b, kind.slice(6));
  }
  if (kind.startsWith('Numeric')) {
    if (typeof a !== 'number' || typeof b !== 'number') return false;
    return order(a, b, kind.slice(7));
  }
  if (kind.startsWith('Timestamp')) {
    if (!isTimestamp(a) || !isTimestamp(b)) return false;
    return order(Date.parse(a), Date.parse(b), kind.slice(9));
  }
  if (kind === 'BooleanEquals') return typeof a === 'boolean' && a === b;
  return false;
}

/** Whether a Choice rule holds for the state's effective input (a type mismatch: false). */
export function ruleHolds(rule: ChoiceRule, data: unknown, context: unknown): boolean {
  if (rule.And) return rule.And.every((r) => ruleHolds(r, data, context));
  if (rule.Or) return rule.Or.some((r) => ruleHolds(r, data, context));
  if (rule.Not) return !ruleHolds(rule.Not, data, context);
  const comparison = comparisonOf(rule) as string;
  const variable = present(data, rule.Variable as string, context);
  const expected = rule[comparison];
  if (comparison === 'IsPresent') return variable.found === expected;
  if (!variable.found) return false;
  const value = variable.value;
  switch (comparison) {
    case 'IsNull':
      return (value === null) === expected;
    case 'IsNumeric':
      return (typeof value === 'number') === expected;
    case 'IsString':
      return (typeof value === 'string') === expected;
    case 'IsBoolean':
      return (typeof value === 'boolean') === expected;
    case 'IsTimestamp':
      return isTimestamp(value) === expected;
  }
  if (comparison.endsWith('Path')) {
    const other = present(data, expected as string, context);
    return other.found && compare(comparison.slice(0, -4), value, other.value);
  }
  return compare(comparison, value, expected);
}
