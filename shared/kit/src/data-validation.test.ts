import Ajv from 'ajv';
import { eventCatalog, FeatureFlagChanged } from '@eventline/events';
import { dataValidator } from './data-validation';

describe('dataValidator', () => {
  it.each(eventCatalog.map((event) => [event.type, event] as const))(
    'the schema of %s is valid JSON Schema (draft-07)',
    (_type, event) => {
      const metaSchema = new Ajv({ strict: true });
      expect(metaSchema.validateSchema(event.schema as object)).toBe(true);
      expect(metaSchema.errors).toBeNull();
    },
  );

  it('given data that breaks a format, names the field and the format', () => {
    const check = dataValidator(FeatureFlagChanged);
    expect(check({ key: 'k', enabled: true, version: 1, changedAt: 'yesterday' })).toBe(
      'data.changedAt must match format "date-time"',
    );
    expect(
      check({ key: 'k', enabled: true, version: 1, changedAt: '2026-12-02T01:00:00Z' }),
    ).toBeUndefined();
  });
});
