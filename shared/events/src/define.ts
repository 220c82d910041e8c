import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/** The base of every catalog schema's `$id`, which events carry as their `dataschema`. */
export const SCHEMA_BASE_URI = 'https://eventline.dev/schemas/';

/** The stable URI naming one version of a type's data schema: the events' `dataschema`. */
export function dataschemaOf(type: string, version: number): string {
  return `${SCHEMA_BASE_URI}${type}/v${version}.json`;
}

/** The type and version a catalog `dataschema` names, or undefined for any other URI. */
export function parseDataschema(uri: string): { type: string; version: number } | undefined {
  if (!uri.startsWith(SCHEMA_BASE_URI)) return undefined;
  const match = /^(.+)\/v([1-9][0-9]*)\.json$/.exec(uri.slice(SCHEMA_BASE_URI.length));
  return match ? { type: match[1] as string, version: Number(match[2]) } : undefined;
}

/** One published version of a type's data schema. */
export interface SchemaVersion {
  version: number;
  dataschema: string;
  schema: JSONSchema;
}

/** A CloudEvent type of the catalog: its `type` attribute and the JSON Schemas of its data. */
export interface EventDefinition<Data = unknown> {
  type: string;
  /** the JSON Schema of the current version, the one producers emit */
  schema: JSONSchema;
  /** the current version */
  version: number;
  /** the current version's URI, set as `dataschema` on every emitted event */
  dataschema: string;
  /** every published version, oldest first; the last is the current one */
  versions: readonly SchemaVersion[];
  /** the versions a handler taking this definition accepts: the current one unless `accepting` says more */
  accepts: readonly number[];
  /** phantom: carries the data type derived from the current schema */
  readonly __data?: Data;
}

/**
 * A type defined in TypeScript, version 1. The catalog's types are generated from the schema
 * files (`npm run catalog`); `npm run catalog:import -- <file>` turns a file of these into them.
 */
export function defineEvent<const Schema extends JSONSchema>(
  type: string,
  schema: Schema,
): EventDefinition<FromSchema<Schema>> {
  const dataschema = dataschemaOf(type, 1);
  return {
    type,
    schema,
    version: 1,
    dataschema,
    versions: [{ version: 1, dataschema, schema }],
    accepts: [1],
  };
}

type Last<T extends readonly unknown[]> = T extends readonly [...unknown[], infer L] ? L : never;

/**
 * A type of the catalog from its schema files: every published version, oldest first, each with
 * its `$id` (the `dataschema` naming type and version). Written by the generator, not by hand.
 */
export function catalogEvent<const Versions extends readonly [JSONSchema, ...JSONSchema[]]>(
  type: string,
  versions: Versions,
): EventDefinition<Last<Versions> extends JSONSchema ? FromSchema<Last<Versions>> : never> & {
  /** the current schema as its literal type, so bounds in code can be read from it */
  readonly schema: Last<Versions>;
} {
  const published = versions.map((schema, index): SchemaVersion => {
    const dataschema = (schema as { $id?: string }).$id ?? '';
    const named = parseDataschema(dataschema);
    if (named?.type !== type || named.version !== index + 1)
      throw new Error(
        `${type}: version ${index + 1} has $id ${dataschema}, not ${dataschemaOf(type, index + 1)}`,
      );
    return { version: index + 1, dataschema, schema };
  });
  const current = published[published.length - 1] as SchemaVersion;
  return {
    type,
    schema: current.schema as JSONSchema & Last<Versions>,
    version: current.version,
    dataschema: current.dataschema,
    versions: published,
    accepts: [current.version],
  };
}

/**
 * The definition a consumer declares when it takes more than the current version, e.g. the
 * version before a breaking change while producers move on: `accepting(OrderPlaced, [1, 2])`.
 * Its handler receives the data of any of them.
 */
export function accepting<E extends EventDefinition>(definition: E, versions: number[]): E {
  for (const version of versions)
    if (!definition.versions.some((v) => v.version === version))
      throw new Error(`${definition.type} has no version ${version}`);
  return { ...definition, accepts: [...new Set(versions)].sort((a, b) => a - b) };
}

export type DataOf<E> = E extends EventDefinition<infer D> ? D : never;
