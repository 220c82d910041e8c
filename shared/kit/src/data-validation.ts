import Ajv, { type ValidateFunction } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats';
import type { EventDefinition } from '@eventline/events';

// Schemas are not checked against the JSON Schema meta-schema here: compiling the meta-schema was
// most of the first compile, which every handler pays before its first event. TypeScript checks
// their shape (json-schema-to-ts), strict mode refuses unknown keywords and ill-typed keyword
// values, and a test checks the catalog's schemas against the meta-schema once.
const ajv = new Ajv({ allErrors: true, strict: true, validateSchema: false });
// The formats alone, not ajv-formats' plugin: its entry module also loads the formatMinimum
// family of keywords, which no event schema uses.
for (const [name, format] of Object.entries(fullFormats)) ajv.addFormat(name, format);

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
