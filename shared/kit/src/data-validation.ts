import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { fullFormats } from 'ajv-formats/dist/formats';
import type { EventDefinition, SchemaVersion } from '@eventline/events';
import { unstorableProblem } from './storable-text';

// Schemas are not checked against the JSON Schema meta-schema here: compiling the meta-schema was
// most of the first compile, which every handler pays before its first event. The generator
// reads them as JSON Schema 2020-12, strict mode refuses unknown keywords and ill-typed keyword
// values, and a test checks the catalog's schemas against the meta-schema once.
const ajv = new Ajv2020({ allErrors: true, strict: true, validateSchema: false });
// The formats alone, not ajv-formats' plugin: its entry module also loads the formatMinimum
// family of keywords, which no event schema uses.
for (const [name, format] of Object.entries(fullFormats)) ajv.addFormat(name, format);

type Check = (data: unknown) => string | undefined;

// One compiled function per schema version, by the schema object the catalog holds, so two
// definitions of one version (a test's copy with another schema) never share one.
const compiled = new WeakMap<object, Check>();

function explain(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .map((e) => {
      const where = `data${e.instancePath.replaceAll('/', '.')}`;
      if (e.keyword === 'required')
        return `${where} is missing required property "${String(e.params.missingProperty)}"`;
      if (e.keyword === 'additionalProperties')
        return `${where} has unexpected property "${String(e.params.additionalProperty)}"`;
      return `${where} ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}

function checkOf(version: SchemaVersion): Check {
  const key = version.schema as object;
  let check = compiled.get(key);
  if (!check) {
    // The $id stays out of Ajv's registry: two definitions of one version must not collide
    // there either, and nothing refers to a schema by its $id.
    const { $id: _id, ...schema } = version.schema as Record<string, unknown>;
    const validate = ajv.compile(schema);
    check = (data) => (validate(data) ? unstorableProblem(data, 'data') : explain(validate));
    compiled.set(key, check);
  }
  return check;
}

/** Compiles an event's current data schema once; returns a check that yields the reasons it fails. */
export function dataValidator(definition: EventDefinition): Check {
  return checkOf(definition.versions.at(-1) as SchemaVersion);
}

/**
 * The check a consumer runs on an incoming event: its data against the version its `dataschema`
 * names, which must be one the consumer accepts. An event without `dataschema` (one from a
 * Knative source, or sent before schemas had versions) is checked against the newest accepted.
 */
export function acceptedDataValidator(
  definition: EventDefinition,
): (data: unknown, dataschema: string | undefined) => string | undefined {
  const accepted = new Map(
    definition.accepts.map((n) => {
      const version = definition.versions.find((v) => v.version === n) as SchemaVersion;
      return [version.dataschema, checkOf(version)] as const;
    }),
  );
  const newest = [...accepted.values()].at(-1) as Check;
  const names = [...accepted.keys()].join(', ');
  return (data, dataschema) => {
    if (dataschema === undefined) return newest(data);
    const check = accepted.get(dataschema);
    if (!check) return `dataschema ${dataschema} is not one this handler accepts (${names})`;
    return check(data);
  };
}
