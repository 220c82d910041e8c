import { eventCatalog } from './catalog';

type Schema = Record<string, unknown>;

/** Every place in a schema where a value has no bound: a string, number or array left open. */
function unbounded(schema: Schema, at: string): string[] {
  const found: string[] = [];
  if (
    schema.type === 'string' &&
    !('maxLength' in schema || 'pattern' in schema || 'format' in schema)
  )
    found.push(`${at}: a string without maxLength, pattern or format`);
  if ((schema.type === 'integer' || schema.type === 'number') && !('maximum' in schema))
    found.push(`${at}: a number without maximum`);
  if (schema.type === 'array' && !('maxItems' in schema))
    found.push(`${at}: an array without maxItems`);
  for (const [name, property] of Object.entries(
    (schema.properties ?? {}) as Record<string, Schema>,
  ))
    found.push(...unbounded(property, `${at}.${name}`));
  if (schema.items) found.push(...unbounded(schema.items as Schema, `${at}[]`));
  return found;
}

describe('the event catalog', () => {
  it.each(eventCatalog.map((event) => [event.type, event] as const))(
    '%s bounds every value it carries',
    (type, event) => {
      expect(unbounded(event.schema as Schema, type)).toEqual([]);
    },
  );
});
