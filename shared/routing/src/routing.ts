import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

/** A Knative Eventing `filters` expression (the dialect next to `filter.attributes`). */
export type FilterExpression =
  | { exact: Record<string, string> }
  | { prefix: Record<string, string> }
  | { suffix: Record<string, string> }
  | { all: FilterExpression[] }
  | { any: FilterExpression[] }
  | { not: FilterExpression };

export type BackoffPolicy = 'linear' | 'exponential';

/** Knative's DeliverySpec, as the routing file declares it. */
export interface DeliverySpec {
  retry: number;
  backoffPolicy: BackoffPolicy;
  /** ISO-8601 duration, e.g. PT0.2S */
  backoffDelay: string;
  /** name of the handler (a `sink`) receiving undeliverable events */
  deadLetterSink?: string;
  /** ISO-8601 duration of one delivery attempt */
  timeout?: string;
}

export type HandlerKind = 'edge' | 'trigger' | 'sink';

export interface HandlerRoute {
  name: string;
  package: string;
  kind: HandlerKind;
  /** the CloudEvent type a trigger filters on */
  type?: string;
  filters: FilterExpression[];
  ordered: boolean;
  delivery: DeliverySpec;
  emits: string[];
  /** path prefixes served on the public API */
  paths: string[];
  description?: string;
}

export interface Routing {
  broker: { name: string };
  handlers: HandlerRoute[];
}

const filterSchema = {
  $id: 'filter',
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  properties: {
    exact: { type: 'object', additionalProperties: { type: 'string' } },
    prefix: { type: 'object', additionalProperties: { type: 'string' } },
    suffix: { type: 'object', additionalProperties: { type: 'string' } },
    all: { type: 'array', items: { $ref: 'filter' } },
    any: { type: 'array', items: { $ref: 'filter' } },
    not: { $ref: 'filter' },
  },
  additionalProperties: false,
};

const deliverySchema = {
  type: 'object',
  properties: {
    retry: { type: 'integer', minimum: 0 },
    backoffPolicy: { enum: ['linear', 'exponential'] },
    backoffDelay: { type: 'string', pattern: '^P' },
    deadLetterSink: { type: 'string' },
    timeout: { type: 'string', pattern: '^P' },
  },
  additionalProperties: false,
};

const routingSchema = {
  type: 'object',
  required: ['broker', 'handlers'],
  properties: {
    broker: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string' } },
    },
    defaults: { type: 'object', properties: { delivery: deliverySchema } },
    handlers: {
      type: 'object',
      propertyNames: { pattern: '^[a-z][a-z0-9-]*$' },
      additionalProperties: {
        type: 'object',
        required: ['package', 'kind'],
        properties: {
          package: { type: 'string' },
          kind: { enum: ['edge', 'trigger', 'sink'] },
          type: { type: 'string' },
          filters: { type: 'array', items: { $ref: 'filter' } },
          ordered: { type: 'boolean' },
          delivery: deliverySchema,
          emits: { type: 'array', items: { type: 'string' } },
          paths: { type: 'array', items: { type: 'string', pattern: '^/' } },
          description: { type: 'string' },
        },
        if: { properties: { kind: { const: 'trigger' } } },
        then: { required: ['type'] },
        additionalProperties: false,
      },
    },
  },
};

const ajv = new Ajv({ allErrors: true, schemas: [filterSchema] });

/** Where the chart keeps the routing file, the one declaration of who receives what. */
const CHART_ROUTING_PATH = path.join('charts', 'eventline', 'routing.yaml');

/**
 * The routing file: EVENTLINE_ROUTING when set, else the chart's in the working directory or the
 * nearest directory above it that has one, as tools find their configuration.
 */
export function findRoutingFile(
  env: NodeJS.ProcessEnv = process.env,
  from = process.cwd(),
): string {
  if (env.EVENTLINE_ROUTING) {
    const file = path.resolve(from, env.EVENTLINE_ROUTING);
    if (!existsSync(file)) throw new Error(`EVENTLINE_ROUTING: no routing file at ${file}`);
    return file;
  }
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const file = path.join(dir, CHART_ROUTING_PATH);
    if (existsSync(file)) return file;
    if (path.dirname(dir) === dir) {
      throw new Error(
        `EVENTLINE_ROUTING: unset, and no ${CHART_ROUTING_PATH} in ${from} or a directory above it`,
      );
    }
  }
}

interface RoutingDocument {
  broker: { name: string };
  defaults?: { delivery?: Partial<DeliverySpec> };
  handlers: Record<
    string,
    Omit<HandlerRoute, 'name' | 'filters' | 'ordered' | 'delivery' | 'emits' | 'paths'> &
      Partial<HandlerRoute>
  >;
}

const validateRouting = ajv.compile<RoutingDocument>(routingSchema);

const BUILT_IN_DELIVERY: DeliverySpec = {
  retry: 0,
  backoffPolicy: 'exponential',
  backoffDelay: 'PT0.2S',
};

/** Parses and validates a routing document; errors name the offending path. */
export function parseRouting(source: string, origin = 'routing'): Routing {
  const document = parse(source) as unknown;
  if (!validateRouting(document)) {
    const reasons = (validateRouting.errors ?? [])
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
      .join('; ');
    throw new Error(`${origin}: invalid routing: ${reasons}`);
  }
  const doc = document;
  const defaults = { ...BUILT_IN_DELIVERY, ...doc.defaults?.delivery };
  const handlers = Object.entries(doc.handlers).map(([name, h]): HandlerRoute => ({
    ...h,
    name,
    filters: h.filters ?? [],
    ordered: h.ordered ?? false,
    delivery: { ...defaults, ...h.delivery },
    emits: h.emits ?? [],
    paths: h.paths ?? [],
  }));
  const names = new Set(handlers.map((h) => h.name));
  for (const h of handlers) {
    const sink = h.delivery.deadLetterSink;
    if (sink && !names.has(sink)) {
      throw new Error(
        `${origin}: handlers.${h.name}.delivery.deadLetterSink names unknown handler "${sink}"`,
      );
    }
  }
  return { broker: doc.broker, handlers };
}

export function loadRouting(file = findRoutingFile()): Routing {
  return parseRouting(readFileSync(file, 'utf8'), file);
}

/** Handlers that receive events from the broker through a Trigger. */
export function triggers(routing: Routing): HandlerRoute[] {
  return routing.handlers.filter((h) => h.kind === 'trigger');
}
