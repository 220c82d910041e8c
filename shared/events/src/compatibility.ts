type Schema = Record<string, unknown>;

const BOUNDS_BELOW = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
const BOUNDS_ABOVE = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];
/** Keywords whose change this check cannot prove harmless: any change to them is breaking. */
const OPAQUE = [
  'pattern',
  'format',
  'multipleOf',
  'const',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  '$ref',
  'propertyNames',
  'patternProperties',
  'prefixItems',
  'contains',
  'uniqueItems',
  'dependentRequired',
  'dependentSchemas',
];

const typesOf = (schema: Schema): string[] | undefined =>
  schema.type === undefined
    ? undefined
    : Array.isArray(schema.type)
      ? (schema.type as string[])
      : [schema.type as string];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function asSchema(value: unknown): Schema {
  if (value === true || value === undefined) return {};
  if (value === false) return { not: {} };
  return value as Schema;
}

/**
 * Why `next` refuses data that `previous` accepted, one reason per place: a removed or newly
 * required field, a narrowed type or enum, a tightened bound, a closed object, or a change to a
 * keyword whose effect cannot be compared (a pattern, a format). Empty when every event valid
 * against `previous` is valid against `next`, as when a field is added as optional or a bound
 * is widened. Consumers that move to `next` then still take every event already sent.
 */
export function breakingChanges(previous: unknown, next: unknown, at = 'data'): string[] {
  if (previous === false) return [];
  if (next === false) return [`${at}: refuses every value`];
  const before = asSchema(previous);
  const after = asSchema(next);
  const found: string[] = [];

  const typesBefore = typesOf(before);
  const typesAfter = typesOf(after);
  if (typesAfter) {
    const lost = (typesBefore ?? ['any type']).filter(
      (t) => !typesAfter.includes(t) && !(t === 'integer' && typesAfter.includes('number')),
    );
    if (lost.length > 0)
      found.push(
        `${at}: type narrowed from ${typesBefore?.join('|') ?? 'any'} to ${typesAfter.join('|')}`,
      );
  }

  if (Array.isArray(after.enum)) {
    const allowed = after.enum as unknown[];
    if (!Array.isArray(before.enum)) found.push(`${at}: enum added (${allowed.join(', ')})`);
    else {
      const dropped = (before.enum as unknown[]).filter((v) => !allowed.some((a) => same(a, v)));
      if (dropped.length > 0) found.push(`${at}: enum narrowed, no longer ${dropped.join(', ')}`);
    }
  }

  for (const bound of BOUNDS_BELOW) {
    const was = before[bound] as number | undefined;
    const is = after[bound] as number | undefined;
    if (is !== undefined && (was === undefined || is > was))
      found.push(`${at}: ${bound} tightened from ${was ?? 'none'} to ${is}`);
  }
  for (const bound of BOUNDS_ABOVE) {
    const was = before[bound] as number | undefined;
    const is = after[bound] as number | undefined;
    if (is !== undefined && (was === undefined || is < was))
      found.push(`${at}: ${bound} tightened from ${was ?? 'none'} to ${is}`);
  }

  for (const keyword of OPAQUE)
    if (after[keyword] !== undefined && !same(before[keyword], after[keyword]))
      found.push(`${at}: ${keyword} changed (${JSON.stringify(after[keyword])})`);

  const requiredBefore = new Set((before.required as string[] | undefined) ?? []);
  for (const name of (after.required as string[] | undefined) ?? [])
    if (!requiredBefore.has(name)) found.push(`${at}.${name}: newly required`);

  const propsBefore = (before.properties ?? {}) as Record<string, unknown>;
  const propsAfter = (after.properties ?? {}) as Record<string, unknown>;
  const extraAfter = after.additionalProperties;
  for (const [name, was] of Object.entries(propsBefore)) {
    if (name in propsAfter) found.push(...breakingChanges(was, propsAfter[name], `${at}.${name}`));
    else if (extraAfter === false) found.push(`${at}.${name}: removed`);
    else found.push(...breakingChanges(was, extraAfter, `${at}.${name}`));
  }
  // A property the previous version left to additionalProperties is constrained by its own
  // schema now; one it refused cannot be in any event already sent, so any schema will do.
  for (const [name, is] of Object.entries(propsAfter))
    if (!(name in propsBefore) && before.additionalProperties !== false)
      found.push(...breakingChanges(before.additionalProperties, is, `${at}.${name}`));
  if (
    extraAfter !== undefined &&
    extraAfter !== true &&
    !same(before.additionalProperties, extraAfter)
  ) {
    if (extraAfter === false) found.push(`${at}: closed to properties it did not list`);
    else found.push(...breakingChanges(before.additionalProperties, extraAfter, `${at}.*`));
  }

  if (after.items !== undefined)
    found.push(...breakingChanges(before.items, after.items, `${at}[]`));
  return found;
}

/** Where a type's current schema stands against its published versions. */
export type PublicationState =
  | { state: 'published' | 'compatible' | 'bumped' | 'new' }
  | { state: 'refused'; problems: string[] };

const body = (schema: Schema): Schema => {
  const { $schema: _dialect, $id: _id, title: _title, description: _description, ...rest } = schema;
  return rest;
};
const versionIn = (schema: Schema) => Number(/\/v([0-9]+)\.json$/.exec(String(schema.$id))?.[1]);

/**
 * Compares a type's current schema with its latest published version (kept in the repository):
 * the same version may change only compatibly; a breaking change needs the next version, and
 * the versions before it stay published, so consumers that declare them still get their schema.
 */
export function publicationState(
  type: string,
  current: Schema,
  published: ReadonlyMap<number, Schema>,
): PublicationState {
  const version = versionIn(current);
  const latest = Math.max(0, ...published.keys());
  const refused = (...problems: string[]): PublicationState => ({ state: 'refused', problems });
  for (let v = 1; v < Math.min(version, latest + 1); v += 1)
    if (!published.has(v)) return refused(`${type}: v${v} is no longer published`);
  if (latest === 0)
    return version === 1 ? { state: 'new' } : refused(`${type}: a new type starts at v1`);
  if (version < latest)
    return refused(`${type}: v${version} is older than its published v${latest}`);
  if (version > latest + 1)
    return refused(`${type}: v${version} skips versions; the published one is v${latest}`);
  if (version === latest + 1) return { state: 'bumped' };
  const previous = published.get(latest) as Schema;
  if (JSON.stringify(previous) === JSON.stringify(current)) return { state: 'published' };
  const problems = breakingChanges(body(previous), body(current));
  if (problems.length === 0) return { state: 'compatible' };
  return refused(
    ...problems.map((p) => `${type} v${version}: ${p}`),
    `${type}: a breaking change needs a new version: set its $id to .../v${version + 1}.json (v${version} stays published for the consumers that declare it)`,
  );
}
