import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/** A CloudEvent type of the catalog: its `type` attribute and the JSON Schema of its data. */
export interface EventDefinition<Data = unknown> {
  type: string;
  schema: JSONSchema;
  /** phantom: carries the data type derived from the schema */
  readonly __data?: Data;
}

export function defineEvent<const Schema extends JSONSchema>(
  type: string,
  schema: Schema,
): EventDefinition<FromSchema<Schema>> {
  return { type, schema };
}

export type DataOf<E> = E extends EventDefinition<infer D> ? D : never;
