import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { EventDefinition } from '@eventline/events';

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);

const compiled = new Map<string, ValidateFunction>();

/** Compiles an event's data schema once; returns a check that yields the reasons it fails. */
export function dataValidator(definition: EventDefinition): (data: unknown) => string | undefined {
  let validate = compiled.get(definition.type);
  if (!validate) {
    validate = ajv.compile(definition.schema as object);
    compiled.set(definition.type, validate);
  }
  const check = validate;
  return (data) => {
    if (check(data)) return undefined;
    return (check.errors ?? [])
      .map((e) => {
        const where = `data${e.instancePath.replaceAll('/', '.')}`;
        if (e.keyword === 'required')
          return `${where} is missing required property "${String(e.params.missingProperty)}"`;
        if (e.keyword === 'additionalProperties')
          return `${where} has unexpected property "${String(e.params.additionalProperty)}"`;
        return `${where} ${e.message ?? 'is invalid'}`;
      })
      .join('; ');
  };
}
