import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { filtersProblem } from './filters';
import { knativeRoutingRefusals } from './knative-routing';
import { scheduleProblem } from './schedule';

/**
 * A Knative Eventing `filters` expression (the CloudEvents Subscriptions API dialects next to
 * `filter.attributes`); `cesql` is a CloudEvents SQL v1 expression.
 */
export type FilterExpression =
  | { exact: Record<string, string> }
  | { prefix: Record<string, string> }
  | { suffix: Record<string, string> }
  | { all: FilterExpression[] }
  | { any: FilterExpression[] }
  | { not: FilterExpression }
  | { cesql: string };

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

export type HandlerKind = 'edge' | 'trigger' | 'sink' | 'job';

/** The CloudEvent type a Knative PingSource sends. */
export const PING_EVENT_TYPE = 'dev.knative.sources.ping';

/** The `source` attribute Knative gives the events of a PingSource. */
export function pingSourceSource(namespace: string, name: string): string {
  return `/apis/v1/namespaces/${namespace}/pingsources/${name}`;
}

/** A Knative PingSource (sources.knative.dev/v1) that fires a job into the broker. */
export interface PingSchedule {
  /** five-field cron or a descriptor (@hourly, @daily, ...), as the PingSource takes it */
  schedule: string;
  /** IANA time zone of the schedule; the cluster's (UTC) when absent */
  timezone?: string;
  /** the ping's data, sent as JSON */
  payload?: unknown;
}

/**
 * Where a handler, KafkaSource or KafkaSink runs in the hybrid model: in every regional install,
 * in the central store's, or in both (the dead-letter sink). One install of everything runs all.
 */
export type Site = 'region' | 'central' | 'every';

export interface HandlerRoute {
  name: string;
  package: string;
  kind: HandlerKind;
  site: Site;
  /** the CloudEvent type a trigger filters on (a job's is PING_EVENT_TYPE) */
  type?: string;
  /** a job's PingSource: the PingSource has the handler's name */
  ping?: PingSchedule;
  filters: FilterExpression[];
  ordered: boolean;
  delivery: DeliverySpec;
  emits: string[];
  /** path prefixes served on the public API */
  paths: string[];
  description?: string;
}

/** The CloudEvent type a Knative KafkaSource gives a record that is not itself a CloudEvent. */
export const KAFKA_EVENT_TYPE = 'dev.knative.kafka.event';

/** The `source` attribute Knative's KafkaSource gives the events of a record from `topic`. */
export function kafkaSourceSource(namespace: string, name: string, topic: string): string {
  return `/apis/v1/namespaces/${namespace}/kafkasources/${name}#${topic}`;
}

/**
 * A Knative KafkaSource (sources.knative.dev/v1beta1) reading topics into the broker: the chart
 * renders it, `npm start` and the tests run the same source in-process.
 */
export interface KafkaSourceRoute {
  name: string;
  topics: string[];
  /** where a new consumer group starts: `latest` (Knative's default) or `earliest` */
  initialOffset: 'earliest' | 'latest';
  /** the routing file's default delivery, as the chart gives the KafkaSource */
  delivery: DeliverySpec;
  /**
   * the CloudEvent types its records carry in binary content mode (what a KafkaSink wrote);
   * KAFKA_EVENT_TYPE, plain records, when absent
   */
  emits: string[];
  site: Site;
  description?: string;
}

/**
 * A Knative KafkaSink (eventing.knative.dev/v1alpha1) in a regional install: a Trigger per
 * `forward` type sends those events from the broker to the topic, in binary content mode.
 */
export interface KafkaSinkRoute {
  name: string;
  topic: string;
  forward: string[];
  /** the routing file's default delivery, as the chart gives the sink's Triggers */
  delivery: DeliverySpec;
  description?: string;
}

export interface Routing {
  broker: { name: string };
  handlers: HandlerRoute[];
  kafkaSources: KafkaSourceRoute[];
  kafkaSinks: KafkaSinkRoute[];
}

// The shape of an expression; the rules on its content (one dialect, attribute names, CESQL that
// parses) are Knative's, checked by filtersProblem with Knative's messages.
const filterSchema = {
  $id: 'filter',
  type: 'object',
  properties: {
    exact: { type: 'object', additionalProperties: { type: 'string' } },
    prefix: { type: 'object', additionalProperties: { type: 'string' } },
    suffix: { type: 'object', additionalProperties: { type: 'string' } },
    all: { type: 'array', items: { $ref: 'filter' } },
    any: { type: 'array', items: { $ref: 'filter' } },
    not: { $ref: 'filter' },
    cesql: { type: 'string' },
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
    kafkaSources: {
      type: 'object',
      propertyNames: { pattern: '^[a-z][a-z0-9-]*$' },
      additionalProperties: {
        type: 'object',
        required: ['topics'],
        properties: {
          topics: {
            type: 'array',
            minItems: 1,
            items: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,249}$' },
          },
          initialOffset: { enum: ['earliest', 'latest'] },
          emits: { type: 'array', minItems: 1, items: { type: 'string' } },
          site: { enum: ['region', 'central', 'every'] },
          description: { type: 'string' },
        },
        additionalProperties: false,
      },
    },
    kafkaSinks: {
      type: 'object',
      propertyNames: { pattern: '^[a-z][a-z0-9-]*$' },
      additionalProperties: {
        type: 'object',
        required: ['topic', 'forward'],
        properties: {
          topic: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,249}$' },
          forward: { type: 'array', minItems: 1, items: { type: 'string' } },
          description: { type: 'string' },
        },
        additionalProperties: false,
      },
    },
    handlers: {
      type: 'object',
      propertyNames: { pattern: '^[a-z][a-z0-9-]*$' },
      additionalProperties: {
        type: 'object',
        required: ['package', 'kind'],
        properties: {
          package: { type: 'string' },
          kind: { enum: ['edge', 'trigger', 'sink', 'job'] },
          site: { enum: ['region', 'central', 'every'] },
          type: { type: 'string' },
          schedule: { type: 'string' },
          timezone: { type: 'string' },
          payload: {},
          filters: { type: 'array', items: { $ref: 'filter' } },
          ordered: { type: 'boolean' },
          delivery: deliverySchema,
          emits: { type: 'array', items: { type: 'string' } },
          paths: { type: 'array', items: { type: 'string', pattern: '^/' } },
          description: { type: 'string' },
        },
        allOf: [
          { if: { properties: { kind: { const: 'trigger' } } }, then: { required: ['type'] } },
          {
            if: { properties: { kind: { const: 'job' } } },
            then: { required: ['schedule'], not: { required: ['type'] } },
            else: { properties: { schedule: false, timezone: false, payload: false } },
          },
        ],
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

type RouteEntry = Omit<
  HandlerRoute,
  'name' | 'filters' | 'ordered' | 'delivery' | 'emits' | 'paths' | 'ping'
> &
  Partial<Omit<HandlerRoute, 'ping'>> &
  Partial<PingSchedule>;

interface RoutingDocument {
  broker: { name: string };
  defaults?: { delivery?: Partial<DeliverySpec> };
  kafkaSources?: Record<
    string,
    Omit<KafkaSourceRoute, 'name' | 'initialOffset' | 'delivery' | 'emits' | 'site'> &
      Partial<KafkaSourceRoute>
  >;
  kafkaSinks?: Record<string, Omit<KafkaSinkRoute, 'name' | 'delivery'>>;
  handlers: Record<string, RouteEntry>;
}

/** A job's PingSource from its entry; the schedule must be one the PingSource accepts. */
function pingOf(name: string, entry: RouteEntry, origin: string): PingSchedule {
  const { schedule, timezone, payload } = entry as Required<PingSchedule>;
  const problem = scheduleProblem(schedule, timezone);
  if (problem) throw new Error(`${origin}: handlers.${name}.${problem}`);
  return {
    schedule,
    ...(timezone ? { timezone } : {}),
    ...(payload !== undefined ? { payload } : {}),
  };
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
  const handlers = Object.entries(doc.handlers).map(([name, entry]): HandlerRoute => {
    const { schedule: _schedule, timezone: _timezone, payload: _payload, ...h } = entry;
    return {
      ...h,
      name,
      site: h.site ?? 'region',
      ...(h.kind === 'job' ? { type: PING_EVENT_TYPE, ping: pingOf(name, entry, origin) } : {}),
      filters: h.filters ?? [],
      ordered: h.ordered ?? false,
      delivery: { ...defaults, ...h.delivery },
      emits: h.emits ?? [],
      paths: h.paths ?? [],
    };
  });
  for (const h of handlers) {
    const problem = filtersProblem(h.filters, `handlers.${h.name}.filters`);
    if (problem) throw new Error(`${origin}: ${problem}`);
  }
  const names = new Set(handlers.map((h) => h.name));
  for (const h of handlers) {
    const sink = h.delivery.deadLetterSink;
    if (sink && !names.has(sink)) {
      throw new Error(
        `${origin}: handlers.${h.name}.delivery.deadLetterSink names unknown handler "${sink}"`,
      );
    }
  }
  const kafkaSources = Object.entries(doc.kafkaSources ?? {}).map(
    ([name, entry]): KafkaSourceRoute => ({
      ...entry,
      name,
      initialOffset: entry.initialOffset ?? 'latest',
      delivery: defaults,
      emits: entry.emits ?? [KAFKA_EVENT_TYPE],
      site: entry.site ?? 'region',
    }),
  );
  const kafkaSinks = Object.entries(doc.kafkaSinks ?? {}).map(([name, entry]): KafkaSinkRoute => ({
    ...entry,
    name,
    delivery: defaults,
  }));
  const routing = { broker: doc.broker, handlers, kafkaSources, kafkaSinks };
  const refusals = knativeRoutingRefusals(routing, doc);
  if (refusals.length > 0) throw new Error(`${origin}: ${refusals.join('; ')}`);
  return routing;
}

/**
 * What one install of the hybrid model runs: a region its handlers and KafkaSinks toward
 * central, central its own handlers and the KafkaSources reading the regions' feed; both the
 * handlers of every site. Without a site, everything runs in one install, where the broker
 * itself carries the regions' feed to central's handlers, so no sink or central source runs.
 */
export function routingOfSite(routing: Routing, site?: 'region' | 'central'): Routing {
  if (!site)
    return {
      ...routing,
      kafkaSources: routing.kafkaSources.filter((s) => s.site !== 'central'),
      kafkaSinks: [],
    };
  const here = ({ site: own }: { site: Site }) => own === site || own === 'every';
  return {
    ...routing,
    handlers: routing.handlers.filter(here),
    kafkaSources: routing.kafkaSources.filter(here),
    kafkaSinks: site === 'region' ? routing.kafkaSinks : [],
  };
}

export function loadRouting(file = findRoutingFile()): Routing {
  return parseRouting(readFileSync(file, 'utf8'), file);
}

/** Handlers that receive events from the broker through a Trigger: triggers and jobs. */
export function triggers(routing: Routing): HandlerRoute[] {
  return routing.handlers.filter((h) => h.kind === 'trigger' || h.kind === 'job');
}

/**
 * A Trigger's filter: its type, ANDed with any `filters` expressions the route adds; a job's
 * Trigger takes the pings of its own PingSource only.
 */
export function triggerFilterOf(
  route: HandlerRoute,
  namespace: string,
): { attributes: Record<string, string> } | { filters: FilterExpression[] } {
  const type = route.type as string;
  if (route.kind === 'job')
    return { attributes: { type, source: pingSourceSource(namespace, route.name) } };
  return route.filters.length > 0
    ? { filters: [{ exact: { type } }, ...route.filters] }
    : { attributes: { type } };
}
