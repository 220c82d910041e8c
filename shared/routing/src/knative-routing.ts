/**
 * The routing file's Knative Eventing objects as the chart renders them (templates/broker.yaml,
 * triggers.yaml, pingsources.yaml, sinkbindings.yaml; only the fields routing.yaml decides), run
 * through the Knative rule table, so the local broker refuses a routing file a cluster would.
 * Each refusal names the routing entry and field that produced the refused field.
 */
import {
  citation,
  knativeProblems,
  type KnativeObject,
  type KnativeProblem,
} from './knative-rules';
import { pingSourceSource, type DeliverySpec, type HandlerRoute, type Routing } from './routing';

/** The routing document as written, before defaults are merged: to tell whose field it was. */
export interface RoutingSource {
  defaults?: { delivery?: Partial<DeliverySpec> };
  handlers: Record<string, { delivery?: Partial<DeliverySpec> }>;
}

/** Release namespace for rendering; routing objects name no other, so any one will do. */
const NAMESPACE = 'default';

const serviceRef = (name: string) => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  name,
});

function deliveryOf(delivery: Partial<DeliverySpec>): Record<string, unknown> {
  const { deadLetterSink, ...rest } = delivery;
  return {
    ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
    ...(deadLetterSink !== undefined
      ? { deadLetterSink: { ref: serviceRef(deadLetterSink) } }
      : {}),
  };
}

interface Rendered {
  object: KnativeObject;
  /** the routing field behind a path in the object */
  origin: (path: string) => string;
}

/** `spec.delivery.<key>…` → the routing field that set `<key>`: the handler's, else the default. */
function deliveryOrigin(path: string, own: Partial<DeliverySpec> | undefined, handler: string) {
  const key = /^spec\.delivery\.([A-Za-z]+)/.exec(path)?.[1];
  if (!key) return undefined;
  return own && key in own ? `handlers.${handler}.delivery.${key}` : `defaults.delivery.${key}`;
}

function render(routing: Routing, source: RoutingSource): Rendered[] {
  const broker = routing.broker.name;
  const brokerRef = { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: broker };
  const rendered: Rendered[] = [];
  const defaults = source.defaults?.delivery;
  if (defaults && Object.keys(defaults).length > 0)
    rendered.push({
      object: {
        apiVersion: 'eventing.knative.dev/v1',
        kind: 'Broker',
        metadata: { name: broker, annotations: { 'eventing.knative.dev/broker.class': 'Kafka' } },
        // The chart's Broker takes these four of the defaults (templates/broker.yaml).
        spec: {
          delivery: deliveryOf({
            retry: defaults.retry,
            backoffPolicy: defaults.backoffPolicy,
            backoffDelay: defaults.backoffDelay,
            deadLetterSink: defaults.deadLetterSink,
          }),
        },
      },
      origin: (path) =>
        path.startsWith('spec.delivery.') ? `defaults.${path.slice(5)}` : 'broker',
    });
  for (const route of routing.handlers) {
    const name = route.name;
    const entry = `handlers.${name}`;
    if (route.kind === 'trigger' || route.kind === 'job')
      rendered.push(trigger(route, broker, source));
    if (route.kind === 'job' && route.ping) {
      const { schedule, timezone, payload } = route.ping;
      rendered.push({
        object: {
          apiVersion: 'sources.knative.dev/v1',
          kind: 'PingSource',
          metadata: { name },
          spec: {
            schedule,
            ...(timezone ? { timezone } : {}),
            ...(payload !== undefined
              ? { contentType: 'application/json', data: JSON.stringify(payload) }
              : {}),
            sink: { ref: brokerRef },
          },
        },
        origin: (path) =>
          path.startsWith('spec.data') ? `${entry}.payload` : `${entry}.${path.slice(5)}`,
      });
    }
    if (route.emits.length > 0)
      rendered.push({
        object: {
          apiVersion: 'sources.knative.dev/v1',
          kind: 'SinkBinding',
          metadata: { name: `${name}-emits` },
          spec: { subject: serviceRef(name), sink: { ref: brokerRef } },
        },
        origin: (path) => (path.startsWith('spec.sink') ? 'broker.name' : entry),
      });
  }
  return rendered;
}

function trigger(route: HandlerRoute, broker: string, source: RoutingSource): Rendered {
  const name = route.name;
  const entry = `handlers.${name}`;
  const attributes =
    route.kind === 'job'
      ? { type: route.type as string, source: pingSourceSource(NAMESPACE, name) }
      : { type: route.type as string };
  return {
    object: {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Trigger',
      metadata: {
        name,
        annotations: {
          'kafka.eventing.knative.dev/delivery.order': route.ordered ? 'ordered' : 'unordered',
        },
      },
      spec: {
        broker,
        filter: { attributes },
        subscriber: { ref: serviceRef(name) },
        delivery: deliveryOf(route.delivery),
      },
    },
    origin: (path) => {
      if (path === 'spec.broker') return 'broker.name';
      if (path.startsWith('metadata.annotations')) return `${entry}.ordered`;
      if (path.startsWith('spec.filter')) return `${entry}.type`;
      return deliveryOrigin(path, source.handlers[name]?.delivery, name) ?? entry;
    },
  };
}

const refusalOf = (problem: KnativeProblem) =>
  `${problem.kind} ${problem.name} would be ${problem.enforcedBy === 'webhook' ? 'refused by' : 'never ready in'} Knative: ${problem.message.split('\n')[0]} (${citation(problem.source)})`;

/** Why Knative would refuse the objects this routing renders: one message per field, or none. */
export function knativeRoutingRefusals(routing: Routing, source: RoutingSource): string[] {
  const rendered = render(routing, source);
  const origins = new Map(rendered.map((r) => [`${r.object.kind}/${r.object.metadata.name}`, r]));
  return knativeProblems(
    rendered.map((r) => r.object),
    { namespace: NAMESPACE },
  ).map((problem) => {
    const field = origins.get(`${problem.kind}/${problem.name}`)!.origin(problem.path);
    return `${field}: ${refusalOf(problem)}`;
  });
}
