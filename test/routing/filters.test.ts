import { parseRouting, type FilterExpression } from '@eventline/routing';

// The rules knative/eventing (knative-v1.22.2) applies to a Trigger's `filters`, and the few the
// routing loader adds where the cluster would accept a filter but run it otherwise than the local
// broker. Each refusal names the route and the field.

const routingWith = (filters: unknown) =>
  JSON.stringify({
    broker: { name: 'default' },
    handlers: { 'high-value': { package: 'orders', kind: 'trigger', type: 't', filters } },
  });

const accepted = (filters: FilterExpression[]) =>
  parseRouting(routingWith(filters)).handlers[0]?.filters;

describe('routing: Knative `filters` rules', () => {
  it.each<[string, unknown, RegExp]>([
    [
      'two dialects in one expression (trigger_validation.go:244)',
      [{ exact: { tier: 'gold' }, suffix: { source: '/x' } }],
      /handlers\.high-value\.filters\[0\]: multiple dialects found, filters can have only one dialect set \(exact, suffix\)/,
    ],
    [
      'cesql beside another dialect (trigger_validation.go:244)',
      [{ cesql: "tier = 'gold'", exact: { tier: 'gold' } }],
      /handlers\.high-value\.filters\[0\]: multiple dialects found/,
    ],
    [
      'an attribute name with capitals (trigger_validation.go:182)',
      [{ all: [{ prefix: { Tier: 'g' } }] }],
      /handlers\.high-value\.filters\[0\]\.all\[0\]\.prefix\.Tier: invalid key name "Tier": Attribute name must start with a letter and can only contain lowercase alphanumeric/,
    ],
    [
      'an attribute name starting with a digit (trigger_validation.go:182)',
      [{ exact: { '0tier': 'gold' } }],
      /filters\[0\]\.exact\.0tier: invalid key name "0tier"/,
    ],
    [
      'a CESQL expression that does not parse (trigger_validation.go:213)',
      [{ not: { cesql: "tier = 'gold" } }],
      /handlers\.high-value\.filters\[0\]\.not\.cesql: invalid value: tier = 'gold: unterminated string literal at position 8/,
    ],
    [
      'a CESQL LIKE whose pattern is not a string literal',
      [{ cesql: 'tier LIKE 5' }],
      /filters\[0\]\.cesql: invalid value: tier LIKE 5: the pattern of LIKE must be a string literal/,
    ],
    [
      'CESQL mixing AND and OR without parentheses (grouped differently on the cluster)',
      [{ cesql: "tier = 'gold' AND region = 'eu' OR vip = true" }],
      /filters\[0\]\.cesql: ".*" mixes AND, OR and XOR without parentheses, .* add parentheses/,
    ],
    [
      'an empty CESQL expression',
      [{ cesql: '' }],
      /filters\[0\]\.cesql: invalid value: : unexpected end of expression/,
    ],
    [
      'an empty value, which the broker skips, delivering every event (exact_filter.go:41)',
      [{ exact: { tier: '' } }],
      /filters\[0\]\.exact\.tier: the exact value must not be empty/,
    ],
    [
      'an exact that names no attribute',
      [{ exact: {} }],
      /filters\[0\]\.exact: names no attribute/,
    ],
    [
      'an empty any, which the cluster treats as no filter (trigger_types.go:135)',
      [{ any: [] }],
      /filters\[0\]\.any: must contain at least one filter expression/,
    ],
    ['an expression with no dialect', [{}], /filters\[0\]: names no dialect/],
  ])('refuses %s', (_rule, filters, error) => {
    expect(() => parseRouting(routingWith(filters), 'routing.yaml')).toThrow(error);
  });

  it('accepts several attributes in one exact, prefix or suffix, as Knative has since 1.7 (trigger_validation_test.go:751)', () => {
    const filters: FilterExpression[] = [
      { exact: { tier: 'gold', region: 'eu' } },
      { prefix: { source: '/orders', subject: 'o-' } },
      { suffix: { type: '.placed', dataschema: '.json' } },
    ];
    expect(accepted(filters)).toEqual(filters);
  });

  it('accepts CESQL expressions that parse, nested in any dialect, with parentheses where AND meets OR', () => {
    const filters: FilterExpression[] = [
      { cesql: "(tier = 'gold' AND region = 'eu') OR vip = true" },
      { any: [{ cesql: "subject LIKE 'o-%'" }, { not: { cesql: 'EXISTS blocked' } }] },
    ];
    expect(accepted(filters)).toEqual(filters);
  });
});
