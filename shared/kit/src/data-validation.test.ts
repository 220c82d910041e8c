import Ajv2020 from 'ajv/dist/2020';
import { accepting, catalogEvent, eventCatalog, FeatureFlagChanged } from '@eventline/events';
import { acceptedDataValidator, dataValidator } from './data-validation';

const everyVersion = eventCatalog.flatMap((event) =>
  event.versions.map((v) => [v.dataschema, v.schema] as const),
);

const Greeting = catalogEvent('test.greeting', [
  {
    $id: 'https://eventline.dev/schemas/test.greeting/v1.json',
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: { name: { type: 'string', maxLength: 10 } },
  },
  {
    $id: 'https://eventline.dev/schemas/test.greeting/v2.json',
    type: 'object',
    required: ['firstName'],
    additionalProperties: false,
    properties: { firstName: { type: 'string', maxLength: 10 } },
  },
] as const);
const v1 = 'https://eventline.dev/schemas/test.greeting/v1.json';
const v2 = 'https://eventline.dev/schemas/test.greeting/v2.json';

describe('dataValidator', () => {
  it.each(everyVersion)('the schema %s is valid JSON Schema 2020-12', (_dataschema, schema) => {
    const metaSchema = new Ajv2020({ strict: true });
    expect(metaSchema.validateSchema(schema as object)).toBe(true);
    expect(metaSchema.errors).toBeNull();
  });

  it('given data that breaks a format, names the field and the format', () => {
    const check = dataValidator(FeatureFlagChanged);
    expect(check({ key: 'k', enabled: true, version: 1, changedAt: 'yesterday' })).toBe(
      'data.changedAt must match format "date-time"',
    );
    expect(
      check({ key: 'k', enabled: true, version: 1, changedAt: '2026-12-02T01:00:00Z' }),
    ).toBeUndefined();
  });

  it('given a producer, when it checks what it emits, then against the current version', () => {
    expect(dataValidator(Greeting)({ firstName: 'Ada' })).toBeUndefined();
    expect(dataValidator(Greeting)({ name: 'Ada' })).toMatch(
      /missing required property "firstName"/,
    );
  });

  it('given a consumer of the current version, when an event names the old one, then it is refused naming the dataschema', () => {
    const check = acceptedDataValidator(Greeting);
    expect(check({ firstName: 'Ada' }, v2)).toBeUndefined();
    expect(check({ name: 'Ada' }, v1)).toBe(
      `dataschema ${v1} is not one this handler accepts (${v2})`,
    );
    expect(check({ firstName: 'Ada' }, undefined)).toBeUndefined();
  });

  it('given a consumer that declares both versions, when events of each arrive, then each is checked against its own', () => {
    const check = acceptedDataValidator(accepting(Greeting, [1, 2]));
    expect(check({ name: 'Ada' }, v1)).toBeUndefined();
    expect(check({ firstName: 'Ada' }, v2)).toBeUndefined();
    expect(check({ firstName: 'Ada' }, v1)).toMatch(/missing required property "name"/);
    expect(check({ name: 'Ada' }, v2)).toMatch(/missing required property "firstName"/);
  });

  it('given a version the type does not have, when a consumer declares it, then it is refused', () => {
    expect(() => accepting(Greeting, [3])).toThrow('test.greeting has no version 3');
  });
});
