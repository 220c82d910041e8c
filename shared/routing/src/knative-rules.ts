/**
 * The admission rules Knative Eventing's webhooks apply to Brokers, Triggers, PingSources,
 * SinkBindings and EventPolicies (and the Kafka broker's controller to its Broker config and
 * Trigger annotations), as data: one row per rule, each citing the source line it was taken from
 * at the pinned release, and one evaluator over rendered objects. knative.dev/eventing is not on the Go module proxy, so
 * unlike Serving (scripts/k8s-tools/knative-validate) its code cannot be run here; this table is
 * the next best thing, and the routing loader runs it too, so a routing file the cluster would
 * refuse is refused locally. Rules on updates (immutable fields) do not apply to a fresh install
 * and are left out; the `filters` dialect's rules live with the filters (see FILTERS_RULES).
 */
import { filtersProblem } from './filters';
import type { FilterExpression } from './routing';
import { parseIsoPeriod } from './iso-period';
import { robfigCronProblem } from './robfig-cron';

export const EVENTING_RELEASE = 'knative-v1.22.2';
/** knative.dev/pkg as knative/eventing knative-v1.22.2's go.mod pins it. */
const PKG_VERSION = 'v0.0.0-20260531000007-52dbd5ece63f';
export const KAFKA_BROKER_RELEASE = 'knative-v1.22.3';

export interface RuleSource {
  repo: 'knative/eventing' | 'knative/pkg' | 'knative-extensions/eventing-kafka-broker';
  ref: string;
  file: string;
  /** first and last line of the check */
  lines: [number, number];
}

const eventing = (file: string, from: number, to = from): RuleSource => ({
  repo: 'knative/eventing',
  ref: EVENTING_RELEASE,
  file,
  lines: [from, to],
});
const pkg = (file: string, from: number, to = from): RuleSource => ({
  repo: 'knative/pkg',
  ref: PKG_VERSION,
  file,
  lines: [from, to],
});
const kafka = (file: string, from: number, to = from): RuleSource => ({
  repo: 'knative-extensions/eventing-kafka-broker',
  ref: KAFKA_BROKER_RELEASE,
  file,
  lines: [from, to],
});

export function citation(source: RuleSource): string {
  const [from, to] = source.lines;
  return `${source.repo}@${source.ref} ${source.file}:${from === to ? from : `${from}-${to}`}`;
}

/** Eventing's config-features flags that change what the webhook admits. */
export type FeatureName =
  | 'delivery-timeout'
  | 'delivery-retryafter'
  | 'kreference-group'
  | 'cross-namespace-event-links'
  | 'authentication-oidc';
export type FeatureFlags = Record<FeatureName, 'enabled' | 'disabled'>;

/** config/core/configmaps/features.yaml at knative-v1.22.2, as a cluster installs it. */
export const DEFAULT_FEATURES: FeatureFlags = {
  'delivery-timeout': 'enabled',
  'delivery-retryafter': 'disabled',
  'kreference-group': 'disabled',
  'cross-namespace-event-links': 'disabled',
  'authentication-oidc': 'disabled',
};

/** Value structures the webhook validates wherever they appear. */
export type Shape =
  'DeliverySpec' | 'Destination' | 'KReference' | 'CloudEventOverrides' | 'TrackerReference';
export type RuledKind =
  'Broker' | 'Trigger' | 'PingSource' | 'SinkBinding' | 'EventPolicy' | 'KafkaBrokerConfig';

/** A declarative test on the value at a rule's field; the evaluator gives each Knative's message. */
export type Check =
  /** missing field(s): a string that must be non-empty */
  | { test: 'nonEmpty' }
  /** invalid value: an integer below `min` */
  | { test: 'minimum'; min: number }
  /** invalid value: not one of the values */
  | { test: 'oneOf'; values: string[]; caseInsensitive?: boolean; message?: string }
  /** invalid value: not an ISO-8601 period as github.com/rickb777/date v1.13.0 period.Parse reads it */
  | { test: 'isoPeriod'; refuse?: 'zero' | 'negative' }
  /** must not set the field(s): the field needs a config-features flag that is disabled */
  | { test: 'feature'; feature: FeatureName }
  /** expected exactly one, got both: two fields that exclude each other */
  | { test: 'exclusive'; with: string }
  /** one of two fields: missing field(s) when neither is set, expected exactly one, got both */
  | { test: 'exactlyOne'; with: string }
  /**
   * invalid key name: every key of the map must match; `firstOnly` reports the first bad key on
   * the map's path (as CloudEventOverrides does), else each on `path[key]`
   */
  | { test: 'keys'; pattern: RegExp; details: string; firstOnly?: boolean }
  /** the field is a nested structure validated by the rows of `shape` */
  | {
      test: 'shape';
      shape: Shape;
      /** validated even when absent (a value, not a pointer, in the Go type) */
      required?: boolean;
      /** a KReference here may name another namespace (the Broker's config does by default) */
      differentNamespace?: boolean;
      /** validated only when this sibling field is absent */
      unless?: string;
    }
  /** a rule too particular for a general test, evaluated by its own function in the evaluator */
  | { test: 'custom'; name: CustomCheck };

export type CustomCheck =
  | 'destinationRefOrUri'
  | 'kreferenceApiVersion'
  | 'kreferenceNamespace'
  | 'pingNoEvery'
  | 'pingSchedule'
  | 'pingTimezone'
  | 'pingDataBase64'
  | 'pingDataJson'
  | 'pingDataSize'
  | 'triggerDependency'
  | 'triggerInjection'
  | 'sinkBindingSubjectNamespace'
  | 'trackerName'
  | 'eventPolicyOidc'
  | 'eventPolicyFrom'
  | 'eventPolicyTo'
  | 'eventPolicyFilters'
  | 'kafkaTopicConfig';

export interface KnativeRule {
  id: string;
  /** the kind (or nested structure) whose field this rule checks */
  on: RuledKind | Shape;
  /** the field, relative to the object or structure; `metadata.annotations[key]` for annotations */
  field: string;
  check: Check;
  /** the admission webhook refuses the object; the controller admits it but never makes it Ready */
  enforcedBy: 'webhook' | 'controller';
  source: RuleSource;
}

const BROKER = 'pkg/apis/eventing/v1/broker_validation.go';
const TRIGGER = 'pkg/apis/eventing/v1/trigger_validation.go';
const DELIVERY = 'pkg/apis/duck/v1/delivery_types.go';
const PING = 'pkg/apis/sources/v1/ping_validation.go';
const SINKBINDING = 'pkg/apis/sources/v1/sinkbinding_validation.go';
const EVENTPOLICY = 'pkg/apis/eventing/v1alpha1/eventpolicy_validation.go';
const DESTINATION = 'apis/duck/v1/destination.go';
const KREFERENCE = 'apis/duck/v1/knative_reference.go';
const SOURCE = 'apis/duck/v1/source_types.go';
const TRACKER = 'tracker/interface.go';

const ATTRIBUTE_NAME = /^[a-z][a-z0-9]*$/;
const ATTRIBUTE_NAME_DETAILS =
  'Attribute name must start with a letter and can only contain lowercase alphanumeric';

/** The rule table. Order is the webhook's order of checks within each object. */
export const KNATIVE_RULES: readonly KnativeRule[] = [
  {
    id: 'broker.class',
    on: 'Broker',
    field: 'metadata.annotations[eventing.knative.dev/broker.class]',
    check: { test: 'nonEmpty' },
    enforcedBy: 'webhook',
    source: eventing(BROKER, 42, 44),
  },
  {
    id: 'broker.config',
    on: 'Broker',
    field: 'spec.config',
    check: { test: 'shape', shape: 'KReference', differentNamespace: true },
    enforcedBy: 'webhook',
    source: eventing(BROKER, 81, 86),
  },
  {
    id: 'broker.delivery',
    on: 'Broker',
    field: 'spec.delivery',
    check: { test: 'shape', shape: 'DeliverySpec' },
    enforcedBy: 'webhook',
    source: eventing(BROKER, 88, 92),
  },
  {
    id: 'kafka.broker.topic-config',
    on: 'KafkaBrokerConfig',
    field: 'data',
    check: { test: 'custom', name: 'kafkaTopicConfig' },
    enforcedBy: 'controller',
    source: kafka('control-plane/pkg/kafka/topic.go', 93, 128),
  },
  {
    id: 'trigger.broker',
    on: 'Trigger',
    field: 'spec.broker',
    check: { test: 'exactlyOne', with: 'brokerRef' },
    enforcedBy: 'webhook',
    source: eventing(TRIGGER, 61, 65),
  },
  {
    id: 'trigger.brokerRef.namespace',
    on: 'Trigger',
    field: 'spec.brokerRef.namespace',
    check: { test: 'feature', feature: 'cross-namespace-event-links' },
    enforcedBy: 'webhook',
    source: eventing(TRIGGER, 67, 73),
  },
  {
    id: 'trigger.filter.attributes',
    on: 'Trigger',
    field: 'spec.filter.attributes',
    check: { test: 'keys', pattern: ATTRIBUTE_NAME, details: ATTRIBUTE_NAME_DETAILS },
    enforcedBy: 'webhook',
    source: eventing(TRIGGER, 172, 186),
  },
  {
    id: 'trigger.subscriber',
    on: 'Trigger',
    field: 'spec.subscriber',
    check: { test: 'shape', shape: 'Destination', required: true },
    enforcedBy: 'webhook',
    source: eventing(TRIGGER, 80),
  },
  {
    id: 'trigger.delivery',
    on: 'Trigger',
    field: 'spec.delivery',
    check: { test: 'shape', shape: 'DeliverySpec' },
    enforcedBy: 'webhook',
    source: eventing(TRIGGER, 82),
  },
  {
    id: 'trigger.dependency',
    on: 'Trigger',
    field: 'metadata.annotations[knative.dev/dependency]',
    check: { test: 'custom', name: 'triggerDependency' },
    enforcedBy: 'webhook',
    source: eventing(TRIGGER, 124, 154),
  },
  {
    id: 'trigger.injection',
    on: 'Trigger',
    field: 'metadata.annotations[eventing.knative.dev/injection]',
    check: { test: 'custom', name: 'triggerInjection' },
    enforcedBy: 'webhook',
    source: eventing(TRIGGER, 156, 170),
  },
  {
    id: 'kafka.trigger.delivery-order',
    on: 'Trigger',
    field: 'metadata.annotations[kafka.eventing.knative.dev/delivery.order]',
    check: {
      test: 'oneOf',
      values: ['ordered', 'unordered'],
      caseInsensitive: true,
      message:
        'invalid annotation kafka.eventing.knative.dev/delivery.order value: %s. Allowed values [ "ordered" | "unordered" ]',
    },
    enforcedBy: 'controller',
    source: kafka('control-plane/pkg/reconciler/trigger/trigger.go', 464, 473),
  },
  {
    id: 'delivery.deadLetterSink',
    on: 'DeliverySpec',
    field: 'deadLetterSink',
    check: { test: 'shape', shape: 'Destination' },
    enforcedBy: 'webhook',
    source: eventing(DELIVERY, 99, 101),
  },
  {
    id: 'delivery.retry',
    on: 'DeliverySpec',
    field: 'retry',
    check: { test: 'minimum', min: 0 },
    enforcedBy: 'webhook',
    source: eventing(DELIVERY, 103, 105),
  },
  {
    id: 'delivery.timeout.feature',
    on: 'DeliverySpec',
    field: 'timeout',
    check: { test: 'feature', feature: 'delivery-timeout' },
    enforcedBy: 'webhook',
    source: eventing(DELIVERY, 107, 115),
  },
  {
    id: 'delivery.timeout',
    on: 'DeliverySpec',
    field: 'timeout',
    check: { test: 'isoPeriod', refuse: 'zero' },
    enforcedBy: 'webhook',
    source: eventing(DELIVERY, 108, 112),
  },
  {
    id: 'delivery.backoffPolicy',
    on: 'DeliverySpec',
    field: 'backoffPolicy',
    check: { test: 'oneOf', values: ['exponential', 'linear'] },
    enforcedBy: 'webhook',
    source: eventing(DELIVERY, 118, 125),
  },
  {
    id: 'delivery.backoffDelay',
    on: 'DeliverySpec',
    field: 'backoffDelay',
    check: { test: 'isoPeriod' },
    enforcedBy: 'webhook',
    source: eventing(DELIVERY, 127, 132),
  },
  {
    id: 'delivery.format',
    on: 'DeliverySpec',
    field: 'format',
    check: { test: 'oneOf', values: ['binary', 'json'] },
    enforcedBy: 'webhook',
    source: eventing(DELIVERY, 134, 141),
  },
  {
    id: 'delivery.retryAfterMax.feature',
    on: 'DeliverySpec',
    field: 'retryAfterMax',
    check: { test: 'feature', feature: 'delivery-retryafter' },
    enforcedBy: 'webhook',
    source: eventing(DELIVERY, 143, 151),
  },
  {
    id: 'delivery.retryAfterMax',
    on: 'DeliverySpec',
    field: 'retryAfterMax',
    check: { test: 'isoPeriod', refuse: 'negative' },
    enforcedBy: 'webhook',
    source: eventing(DELIVERY, 144, 148),
  },
  {
    id: 'destination.ref-or-uri',
    on: 'Destination',
    field: '',
    check: { test: 'custom', name: 'destinationRefOrUri' },
    enforcedBy: 'webhook',
    source: pkg(DESTINATION, 67, 77),
  },
  {
    id: 'destination.ref',
    on: 'Destination',
    field: 'ref',
    check: { test: 'shape', shape: 'KReference', unless: 'uri' },
    enforcedBy: 'webhook',
    source: pkg(DESTINATION, 78, 80),
  },
  {
    id: 'kreference.name',
    on: 'KReference',
    field: 'name',
    check: { test: 'nonEmpty' },
    enforcedBy: 'webhook',
    source: pkg(KREFERENCE, 65, 67),
  },
  {
    id: 'kreference.apiVersion',
    on: 'KReference',
    field: 'apiVersion',
    check: { test: 'custom', name: 'kreferenceApiVersion' },
    enforcedBy: 'webhook',
    source: pkg(KREFERENCE, 68, 87),
  },
  {
    id: 'kreference.kind',
    on: 'KReference',
    field: 'kind',
    check: { test: 'nonEmpty' },
    enforcedBy: 'webhook',
    source: pkg(KREFERENCE, 88, 90),
  },
  {
    id: 'kreference.namespace',
    on: 'KReference',
    field: 'namespace',
    check: { test: 'custom', name: 'kreferenceNamespace' },
    enforcedBy: 'webhook',
    source: pkg(KREFERENCE, 95, 106),
  },
  {
    id: 'ping.schedule.every',
    on: 'PingSource',
    field: 'spec.schedule',
    check: { test: 'custom', name: 'pingNoEvery' },
    enforcedBy: 'webhook',
    source: eventing(PING, 110, 115),
  },
  {
    id: 'ping.schedule',
    on: 'PingSource',
    field: 'spec.schedule',
    check: { test: 'custom', name: 'pingSchedule' },
    enforcedBy: 'webhook',
    source: eventing(PING, 49, 61),
  },
  {
    id: 'ping.timezone',
    on: 'PingSource',
    field: 'spec.timezone',
    check: { test: 'custom', name: 'pingTimezone' },
    enforcedBy: 'webhook',
    source: eventing(PING, 45, 56),
  },
  {
    id: 'ping.sink',
    on: 'PingSource',
    field: 'spec.sink',
    check: { test: 'shape', shape: 'Destination', required: true },
    enforcedBy: 'webhook',
    source: eventing(PING, 66, 68),
  },
  {
    id: 'ping.data-or-dataBase64',
    on: 'PingSource',
    field: 'spec.data',
    check: { test: 'exclusive', with: 'dataBase64' },
    enforcedBy: 'webhook',
    source: eventing(PING, 70, 71),
  },
  {
    id: 'ping.dataBase64',
    on: 'PingSource',
    field: 'spec.dataBase64',
    check: { test: 'custom', name: 'pingDataBase64' },
    enforcedBy: 'webhook',
    source: eventing(PING, 72, 88),
  },
  {
    id: 'ping.data.size',
    on: 'PingSource',
    field: 'spec.data',
    check: { test: 'custom', name: 'pingDataSize' },
    enforcedBy: 'webhook',
    source: eventing(PING, 90, 93),
  },
  {
    id: 'ping.data.json',
    on: 'PingSource',
    field: 'spec.data',
    check: { test: 'custom', name: 'pingDataJson' },
    enforcedBy: 'webhook',
    source: eventing(PING, 94, 99),
  },
  {
    id: 'ping.ceOverrides',
    on: 'PingSource',
    field: 'spec.ceOverrides',
    check: { test: 'shape', shape: 'CloudEventOverrides' },
    enforcedBy: 'webhook',
    source: eventing(PING, 101),
  },
  {
    id: 'sinkbinding.subject.namespace',
    on: 'SinkBinding',
    field: 'spec.subject.namespace',
    check: { test: 'custom', name: 'sinkBindingSubjectNamespace' },
    enforcedBy: 'webhook',
    source: eventing(SINKBINDING, 28, 30),
  },
  {
    id: 'sinkbinding.subject',
    on: 'SinkBinding',
    field: 'spec.subject',
    check: { test: 'shape', shape: 'TrackerReference', required: true },
    enforcedBy: 'webhook',
    source: eventing(SINKBINDING, 36),
  },
  {
    id: 'sinkbinding.sink',
    on: 'SinkBinding',
    field: 'spec.sink',
    check: { test: 'shape', shape: 'Destination', required: true },
    enforcedBy: 'webhook',
    source: eventing(SINKBINDING, 37),
  },
  {
    id: 'sinkbinding.ceOverrides',
    on: 'SinkBinding',
    field: 'spec.ceOverrides',
    check: { test: 'shape', shape: 'CloudEventOverrides' },
    enforcedBy: 'webhook',
    source: eventing(SINKBINDING, 38),
  },
  {
    id: 'ceOverrides.extensions',
    on: 'CloudEventOverrides',
    field: 'extensions',
    check: {
      test: 'keys',
      pattern: /^[a-zA-Z0-9]+$/,
      details: 'keys are expected to be alphanumeric',
      firstOnly: true,
    },
    enforcedBy: 'webhook',
    source: pkg(SOURCE, 204, 237),
  },
  {
    id: 'tracker.apiVersion',
    on: 'TrackerReference',
    field: 'apiVersion',
    check: { test: 'nonEmpty' },
    enforcedBy: 'webhook',
    source: pkg(TRACKER, 146, 150),
  },
  {
    id: 'tracker.kind',
    on: 'TrackerReference',
    field: 'kind',
    check: { test: 'nonEmpty' },
    enforcedBy: 'webhook',
    source: pkg(TRACKER, 151, 155),
  },
  {
    id: 'eventpolicy.oidc',
    on: 'EventPolicy',
    field: '',
    check: { test: 'custom', name: 'eventPolicyOidc' },
    enforcedBy: 'webhook',
    source: eventing(EVENTPOLICY, 31, 35),
  },
  {
    id: 'eventpolicy.from',
    on: 'EventPolicy',
    field: 'spec.from',
    check: { test: 'custom', name: 'eventPolicyFrom' },
    enforcedBy: 'webhook',
    source: eventing(EVENTPOLICY, 41, 99),
  },
  {
    id: 'eventpolicy.to',
    on: 'EventPolicy',
    field: 'spec.to',
    check: { test: 'custom', name: 'eventPolicyTo' },
    enforcedBy: 'webhook',
    source: eventing(EVENTPOLICY, 52, 62),
  },
  {
    id: 'eventpolicy.filters',
    on: 'EventPolicy',
    field: 'spec.filters',
    check: { test: 'custom', name: 'eventPolicyFilters' },
    enforcedBy: 'webhook',
    source: eventing(EVENTPOLICY, 64),
  },
  {
    id: 'tracker.name-or-selector',
    on: 'TrackerReference',
    field: 'name',
    check: { test: 'custom', name: 'trackerName' },
    enforcedBy: 'webhook',
    source: pkg(TRACKER, 162, 177),
  },
];

/**
 * The `filters` dialect's rules (one dialect per expression, attribute names, the single key of
 * exact/prefix/suffix, CESQL that parses) are checked with the filters themselves, where the
 * broker evaluates them; this table does not repeat them.
 */
export const FILTERS_RULES = {
  id: 'trigger.filters',
  field: 'spec.filters',
  checkedBy: 'the routing loader and the broker, with the filters dialect',
  source: eventing(TRIGGER, 188, 293),
} as const;

export interface KnativeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
  };
  spec?: unknown;
  data?: Record<string, string>;
}

export interface KnativeProblem {
  /** the row that refused */
  rule: string;
  /** the rows that led to it: a Trigger's `trigger.delivery`, then `delivery.deadLetterSink` */
  via: string[];
  kind: string;
  namespace: string;
  name: string;
  /** the field's full path in the object, as Knative names it */
  path: string;
  /** Knative's message, e.g. `invalid value: -1: spec.delivery.retry` */
  message: string;
  enforcedBy: KnativeRule['enforcedBy'];
  source: RuleSource;
}

export interface RuleOptions {
  /** the namespace of objects that name none (the release's) */
  namespace: string;
  features?: Partial<FeatureFlags>;
  /** config-ping-defaults data-max-size; -1 (the default) is no limit */
  pingDataMaxSize?: number;
  /** config-br-defaults clusterDefault.brokerClass, given to a Broker without the annotation */
  defaultBrokerClass?: string;
}

export function formatProblem(problem: KnativeProblem): string {
  const refusal = problem.enforcedBy === 'webhook' ? 'refused' : 'never ready';
  return `${problem.kind} ${problem.namespace}/${problem.name} ${refusal}: ${problem.message} (${citation(problem.source)})`;
}

const RULED: Record<string, RuledKind> = {
  'eventing.knative.dev/v1 Broker': 'Broker',
  'eventing.knative.dev/v1 Trigger': 'Trigger',
  'sources.knative.dev/v1 PingSource': 'PingSource',
  'sources.knative.dev/v1 SinkBinding': 'SinkBinding',
  'eventing.knative.dev/v1alpha1 EventPolicy': 'EventPolicy',
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value at a dotted path; `metadata.annotations[key]` reads an annotation. */
function valueAt(root: unknown, field: string): unknown {
  if (field === '') return root;
  const annotation = /^metadata\.annotations\[(.+)\]$/.exec(field);
  if (annotation) {
    const annotations = isObject(root) ? (root.metadata as Json | undefined)?.annotations : {};
    return isObject(annotations) ? annotations[annotation[1]!] : undefined;
  }
  let value = root;
  for (const part of field.split('.')) value = isObject(value) ? value[part] : undefined;
  return value;
}

const join = (prefix: string, field: string) =>
  prefix === ''
    ? field
    : field === ''
      ? prefix
      : field.startsWith('[')
        ? prefix + field
        : `${prefix}.${field}`;

interface Scope {
  object: KnativeObject;
  namespace: string;
  options: Required<Omit<RuleOptions, 'features'>> & { features: FeatureFlags };
  differentNamespace: boolean;
  via: string[];
  problems: KnativeProblem[];
}

function report(scope: Scope, rule: KnativeRule, path: string, message: string): void {
  scope.problems.push({
    rule: rule.id,
    via: scope.via,
    kind: scope.object.kind,
    namespace: scope.namespace,
    name: scope.object.metadata.name,
    path,
    message,
    enforcedBy: rule.enforcedBy,
    source: rule.source,
  });
}

const present = (value: unknown) => value !== undefined && value !== null && value !== '';
const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** Applies the rows `on` the kind or structure to `root`, whose path in the object is `prefix`. */
function evaluate(scope: Scope, on: RuledKind | Shape, root: unknown, prefix: string): void {
  for (const rule of KNATIVE_RULES) {
    if (rule.on !== on) continue;
    const value = valueAt(root, rule.field);
    const path = rule.field.startsWith('metadata.annotations[')
      ? rule.field
      : join(prefix, rule.field);
    const check = rule.check;
    switch (check.test) {
      case 'nonEmpty':
        if (!present(value)) report(scope, rule, path, `missing field(s): ${path}`);
        break;
      case 'minimum':
        if (typeof value === 'number' && value < check.min)
          report(scope, rule, path, `invalid value: ${value}: ${path}`);
        break;
      case 'oneOf': {
        if (value === undefined) break;
        const text = String(value);
        const candidate = check.caseInsensitive ? text.toLowerCase() : text;
        if (!check.values.includes(candidate))
          report(
            scope,
            rule,
            path,
            check.message ? check.message.replace('%s', text) : `invalid value: ${text}: ${path}`,
          );
        break;
      }
      case 'isoPeriod': {
        if (value === undefined || value === null) break;
        // A flag-gated field is only parsed when its feature is on (the 'feature' row refuses it).
        if (gatedOff(scope, on, rule.field)) break;
        const period = parseIsoPeriod(String(value));
        const bad =
          !period.ok ||
          (check.refuse === 'zero' && period.zero) ||
          (check.refuse === 'negative' && period.negative);
        if (bad) report(scope, rule, path, `invalid value: ${show(value)}: ${path}`);
        break;
      }
      case 'feature':
        if (present(value) && scope.options.features[check.feature] !== 'enabled')
          report(scope, rule, path, `must not set the field(s): ${path}`);
        break;
      case 'exclusive': {
        const other = valueAt(root, join(parentOf(rule.field), check.with));
        if (present(value) && present(other))
          report(
            scope,
            rule,
            path,
            `expected exactly one, got both: ${path}, ${join(parentOf(path), check.with)}`,
          );
        break;
      }
      case 'exactlyOne': {
        const otherPath = join(parentOf(path), check.with);
        const other = valueAt(root, join(parentOf(rule.field), check.with));
        if (!present(value) && !present(other))
          report(scope, rule, path, `missing field(s): ${path}`);
        else if (present(value) && present(other))
          report(scope, rule, path, `expected exactly one, got both: ${path}, ${otherPath}`);
        break;
      }
      case 'keys': {
        if (!isObject(value)) break;
        const bad = Object.keys(value).filter((key) => !check.pattern.test(key));
        for (const key of check.firstOnly ? bad.slice(0, 1) : bad) {
          const at = check.firstOnly ? path : `${path}[${key}]`;
          report(scope, rule, at, `invalid key name "${key}": ${at}\n${check.details}`);
        }
        break;
      }
      case 'shape': {
        if (value === undefined && !check.required) break;
        if (check.unless && valueAt(root, join(parentOf(rule.field), check.unless)) !== undefined)
          break;
        const nested = {
          ...scope,
          differentNamespace: check.differentNamespace ?? false,
          via: [...scope.via, rule.id],
        };
        evaluate(nested, check.shape, value ?? {}, path);
        break;
      }
      case 'custom':
        CUSTOM[check.name](scope, rule, root, value, path);
        break;
    }
  }
}

const parentOf = (field: string) =>
  field.includes('.') ? field.slice(0, field.lastIndexOf('.')) : '';

/** Whether `field` of a DeliverySpec is behind a config-features flag that is off. */
function gatedOff(scope: Scope, on: RuledKind | Shape, field: string): boolean {
  return KNATIVE_RULES.some(
    (rule) =>
      rule.on === on &&
      rule.field === field &&
      rule.check.test === 'feature' &&
      scope.options.features[rule.check.feature] !== 'enabled',
  );
}

type Custom = (
  scope: Scope,
  rule: KnativeRule,
  root: unknown,
  value: unknown,
  path: string,
) => void;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function isAbsoluteUriWithHost(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.host !== '';
  } catch {
    return false;
  }
}

/** An EventPolicy's from[i].ref or to[i].ref: kind, apiVersion and name, each required. */
function eventPolicyRefProblems(scope: Scope, rule: KnativeRule, ref: unknown, path: string): void {
  if (!isObject(ref)) return;
  for (const field of ['kind', 'apiVersion', 'name'])
    if (!present(ref[field]))
      report(scope, rule, join(path, field), `missing field(s): ${join(path, field)}`);
}

/** Each entry of an EventPolicy's from or to: exactly one of two fields, then its reference. */
function eventPolicyEntries(
  scope: Scope,
  rule: KnativeRule,
  value: unknown,
  path: string,
  [first, second]: [string, string],
  each: (entry: Json, at: string) => void,
): void {
  if (!Array.isArray(value)) return;
  value.forEach((entry: unknown, index) => {
    const at = `${path}[${index}]`;
    const item = isObject(entry) ? entry : {};
    const paths = `${join(at, first)}, ${join(at, second)}`;
    if (item[first] === undefined && !present(item[second]))
      report(scope, rule, at, `expected exactly one, got neither: ${paths}`);
    if (item[first] !== undefined && item[second] !== undefined)
      report(scope, rule, at, `expected exactly one, got both: ${paths}`);
    each(item, at);
  });
}

const CUSTOM: Record<CustomCheck, Custom> = {
  destinationRefOrUri(scope, rule, root, _value, path) {
    const destination = isObject(root) ? root : {};
    const { ref, uri } = destination;
    const at = (field: string) => join(path, field);
    if (ref === undefined && uri === undefined)
      report(scope, rule, path, `expected at least one, got none: ${at('ref')}, ${at('uri')}`);
    else if (ref !== undefined && uri !== undefined && isAbsoluteUri(String(uri)))
      report(
        scope,
        rule,
        path,
        `Absolute URI is not allowed when Ref or [apiVersion, kind, name] is present: ${at('[apiVersion, kind, name]')}, ${at('ref')}, ${at('uri')}`,
      );
    else if (ref === undefined && !isAbsoluteUriWithHost(String(uri)))
      report(
        scope,
        rule,
        at('uri'),
        `invalid value: Relative URI is not allowed when Ref and [apiVersion, kind, name] is absent: ${at('uri')}`,
      );
  },
  kreferenceApiVersion(scope, rule, root, value, path) {
    const group = isObject(root) ? root.group : undefined;
    const groupPath = join(parentOf(path), 'group');
    if (scope.options.features['kreference-group'] === 'enabled') {
      if (!present(value) && !present(group))
        report(scope, rule, path, `missing field(s): ${path}, ${groupPath}`);
      else if (present(value) && present(group) && !String(value).startsWith(String(group)))
        report(
          scope,
          rule,
          path,
          `both apiVersion and group are specified and they refer to different API groups: ${path}, ${groupPath}\nOnly one of them must be specified`,
        );
      return;
    }
    if (present(group)) report(scope, rule, groupPath, `must not set the field(s): ${groupPath}`);
    if (!present(value)) report(scope, rule, path, `missing field(s): ${path}`);
  },
  eventPolicyOidc(scope, rule) {
    if (scope.options.features['authentication-oidc'] !== 'enabled')
      report(scope, rule, '', 'oidc-authentication feature not enabled');
  },
  eventPolicyFrom(scope, rule, _root, value, path) {
    eventPolicyEntries(scope, rule, value, path, ['ref', 'sub'], (entry, at) => {
      eventPolicyRefProblems(scope, rule, entry.ref, join(at, 'ref'));
      const sub = typeof entry.sub === 'string' ? entry.sub : '';
      // validateSub: a '*' anywhere but last matches nothing Knative can name.
      const star = sub.indexOf('*');
      if (sub.length > 1 && star >= 0 && star <= sub.length - 2)
        report(
          scope,
          rule,
          join(at, 'sub'),
          `invalid value: ${sub}: ${join(at, 'sub')}\n'*' is only allowed as suffix`,
        );
    });
  },
  eventPolicyTo(scope, rule, _root, value, path) {
    eventPolicyEntries(scope, rule, value, path, ['ref', 'selector'], (entry, at) => {
      if (entry.ref !== undefined) eventPolicyRefProblems(scope, rule, entry.ref, join(at, 'ref'));
    });
  },
  eventPolicyFilters(scope, rule, _root, value, path) {
    if (!Array.isArray(value)) return;
    const problem = filtersProblem(value as FilterExpression[], path);
    if (problem) report(scope, rule, path, problem);
  },
  kreferenceNamespace(scope, rule, _root, value, path) {
    if (present(value) && !scope.differentNamespace && value !== scope.namespace)
      report(
        scope,
        rule,
        path,
        `mismatched namespaces: ${path}\nparent namespace: "${scope.namespace}" does not match ref: "${show(value)}"`,
      );
  },
  pingNoEvery(scope, rule, _root, value, path) {
    if (typeof value === 'string' && value.includes('@every'))
      report(scope, rule, path, `invalid value: unsupported descriptor @every: ${path}`);
  },
  pingSchedule(scope, rule, root, value, path) {
    const timezone = valueAt(root, 'spec.timezone');
    const problem = robfigCronProblem(
      typeof timezone === 'string' && timezone !== ''
        ? `CRON_TZ=${timezone} ${String(value)}`
        : String(value),
    );
    // A bad location is the timezone rule's, reported on spec.timezone.
    if (problem && !problem.startsWith('provided bad location'))
      report(scope, rule, path, `invalid value: ${problem}: ${path}`);
  },
  pingTimezone(scope, rule, root, value, path) {
    if (typeof value !== 'string' || value === '') return;
    const problem = robfigCronProblem(`CRON_TZ=${value} ${String(valueAt(root, 'spec.schedule'))}`);
    if (problem?.startsWith('provided bad location'))
      report(scope, rule, path, `invalid value: ${problem}: ${path}`);
  },
  pingDataBase64(scope, rule, root, value, path) {
    if (typeof value !== 'string' || value === '' || present(valueAt(root, 'spec.data'))) return;
    const max = scope.options.pingDataMaxSize;
    if (max > -1 && value.length > max)
      report(
        scope,
        rule,
        path,
        `invalid value: the dataBase64 length of ${value.length} bytes exceeds limit set at ${max}.: ${path}`,
      );
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value)) {
      report(scope, rule, path, `invalid value: illegal base64 data: ${path}`);
      return;
    }
    if (valueAt(root, 'spec.contentType') === 'application/json') {
      const problem = jsonObjectProblem(Buffer.from(value, 'base64').toString('utf8'));
      if (problem) report(scope, rule, path, `invalid value: ${problem}: ${path}`);
    }
  },
  pingDataSize(scope, rule, root, value, path) {
    if (typeof value !== 'string' || value === '' || present(valueAt(root, 'spec.dataBase64')))
      return;
    const max = scope.options.pingDataMaxSize;
    // Go's len() counts bytes.
    const size = Buffer.byteLength(value, 'utf8');
    if (max > -1 && size > max)
      report(
        scope,
        rule,
        path,
        `invalid value: the data length of ${size} bytes exceeds limit set at ${max}.: ${path}`,
      );
  },
  pingDataJson(scope, rule, root, value, path) {
    if (typeof value !== 'string' || value === '' || present(valueAt(root, 'spec.dataBase64')))
      return;
    if (valueAt(root, 'spec.contentType') !== 'application/json') return;
    const problem = jsonObjectProblem(value);
    if (problem) report(scope, rule, path, `invalid value: ${problem}: ${path}`);
  },
  triggerDependency(scope, rule, _root, value, path) {
    if (value === undefined) return;
    let ref: unknown;
    try {
      ref = JSON.parse(String(value));
    } catch {
      // Knative adds encoding/json's error as details; JSON.parse words its own differently.
      report(
        scope,
        rule,
        path,
        `The provided annotation was not a corev1.ObjectReference: ${JSON.stringify(value)}: ${path}`,
      );
      return;
    }
    const reference = isObject(ref) ? ref : {};
    if (present(reference.namespace) && reference.namespace !== scope.namespace)
      report(
        scope,
        rule,
        `${path}.namespace`,
        `Namespace must be empty or equal to the trigger namespace "${scope.namespace}": ${path}.namespace`,
      );
    for (const field of ['kind', 'name', 'apiVersion'])
      if (!present(reference[field]))
        report(scope, rule, `${path}.${field}`, `missing field(s): ${path}.${field}`);
  },
  triggerInjection(scope, rule, root, value, path) {
    if (value === undefined) return;
    if (value !== 'enabled' && value !== 'disabled')
      report(
        scope,
        rule,
        path,
        `The provided injection annotation value can only be "enabled" or "disabled", not ${JSON.stringify(value)}: ${path}`,
      );
    else if (valueAt(root, 'spec.broker') !== 'default')
      report(
        scope,
        rule,
        path,
        `The provided injection annotation is only used for default broker, but non-default broker specified here: ${JSON.stringify(valueAt(root, 'spec.broker') ?? '')}: ${path}`,
      );
  },
  sinkBindingSubjectNamespace(scope, rule, _root, value, path) {
    if (present(value) && value !== scope.namespace)
      report(scope, rule, path, `invalid value: ${show(value)}: ${path}`);
  },
  trackerName(scope, rule, root, value, path) {
    const selector = isObject(root) ? root.selector : undefined;
    const selectorPath = join(parentOf(path), 'selector');
    if (present(value) && selector !== undefined)
      report(scope, rule, path, `expected exactly one, got both: ${selectorPath}, ${path}`);
    else if (!present(value) && selector === undefined)
      report(scope, rule, path, `expected exactly one, got neither: ${selectorPath}, ${path}`);
    else if (present(value) && !(String(value).length <= 63 && DNS1123_LABEL.test(String(value))))
      report(
        scope,
        rule,
        path,
        `invalid value: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character: ${path}`,
      );
  },
  kafkaTopicConfig(scope, rule, _root, value, path) {
    const data = isObject(value) ? (value as Record<string, string>) : {};
    const configMap = `${scope.namespace}/${scope.object.metadata.name}`;
    // knative/pkg configmap.AsInt32: strconv.ParseInt(v, 10, 32), no trimming; Parse stops at
    // the first key that fails.
    const int32 = (key: string): number | string => {
      const text = data[key];
      if (text === undefined) return 0;
      if (!/^[+-]?\d+$/.test(text))
        return `failed to parse config map ${configMap}: failed to parse "${key}": strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`;
      const parsed = Number(text);
      if (parsed < -(2 ** 31) || parsed >= 2 ** 31)
        return `failed to parse config map ${configMap}: failed to parse "${key}": strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range`;
      return parsed;
    };
    const partitions = int32('default.topic.partitions');
    const replication = int32('default.topic.replication.factor');
    const failed = [partitions, replication].find((v) => typeof v === 'string');
    if (typeof failed === 'string') {
      report(scope, rule, path, `${failed}: ${path}`);
      return;
    }
    const servers = (data['bootstrap.servers'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    // The replication factor is stored as Sarama's int16.
    const replicationFactor = ((replication as number) << 16) >> 16;
    if ((partitions as number) <= 0 || replicationFactor <= 0 || servers.length === 0)
      report(
        scope,
        rule,
        path,
        `invalid configuration - numPartitions: ${partitions} - replicationFactor: ${replicationFactor} - bootstrapServers: [${servers.join(' ')}]: ${path}`,
      );
  },
};

function isAbsoluteUri(uri: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri);
}

/** Go's json.Unmarshal into map[string]interface{}: only a JSON object is accepted. */
function jsonObjectProblem(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  if (isObject(value) || value === null) return undefined;
  const type = Array.isArray(value) ? 'array' : typeof value;
  return `json: cannot unmarshal ${type} into Go value of type map[string]interface {}`;
}

/**
 * What the defaulting webhook sets before validation, where it changes a rule's outcome: a
 * Broker's class from config-br-defaults (pkg/apis/eventing/defaults.go:27-40), the namespace of a
 * SinkBinding's subject (pkg/apis/sources/v1/sinkbinding_defaults.go:27-30) and of refs
 * (knative/pkg apis/duck/v1/destination.go:96-104), a PingSource's empty schedule
 * (pkg/apis/sources/v1/ping_defaults.go:31-35).
 */
function withDefaults(
  object: KnativeObject,
  kind: RuledKind,
  options: Scope['options'],
): KnativeObject {
  const copy = structuredClone(object);
  const spec = (isObject(copy.spec) ? copy.spec : (copy.spec = {})) as Json;
  if (kind === 'Broker') {
    const annotations = (copy.metadata.annotations ??= {});
    if (!('eventing.knative.dev/broker.class' in annotations))
      annotations['eventing.knative.dev/broker.class'] = options.defaultBrokerClass;
  }
  if (kind === 'SinkBinding' && isObject(spec.subject) && !present(spec.subject.namespace))
    spec.subject.namespace = copy.metadata.namespace ?? options.namespace;
  if (kind === 'PingSource' && !present(spec.schedule)) spec.schedule = '* * * * *';
  return copy;
}

const resolveOptions = (options: RuleOptions): Scope['options'] => ({
  namespace: options.namespace,
  pingDataMaxSize: options.pingDataMaxSize ?? -1,
  defaultBrokerClass: options.defaultBrokerClass ?? 'MTChannelBasedBroker',
  features: { ...DEFAULT_FEATURES, ...options.features },
});

/**
 * Every refusal Knative Eventing would give the objects (as created), in table order. Objects of
 * other kinds are skipped; the ConfigMap a Kafka-class Broker names is checked when it is among
 * them.
 */
export function knativeProblems(objects: KnativeObject[], options: RuleOptions): KnativeProblem[] {
  const resolved = resolveOptions(options);
  const problems: KnativeProblem[] = [];
  for (const object of objects) {
    const kind = RULED[`${object.apiVersion} ${object.kind}`];
    if (!kind) continue;
    const namespace = object.metadata.namespace ?? resolved.namespace;
    const defaulted = withDefaults(object, kind, resolved);
    evaluate(
      { object, namespace, options: resolved, differentNamespace: false, via: [], problems },
      kind,
      defaulted,
      '',
    );
    if (kind === 'Broker') {
      const annotations = defaulted.metadata.annotations ?? {};
      const config = (defaulted.spec as Json).config;
      if (annotations['eventing.knative.dev/broker.class'] !== 'Kafka' || !isObject(config))
        continue;
      const configMap = objects.find(
        (o) =>
          o.apiVersion === 'v1' &&
          o.kind === 'ConfigMap' &&
          o.metadata.name === config.name &&
          (o.metadata.namespace ?? resolved.namespace) === (config.namespace ?? namespace),
      );
      if (configMap)
        evaluate(
          {
            object: configMap,
            namespace,
            options: resolved,
            differentNamespace: false,
            via: [],
            problems,
          },
          'KafkaBrokerConfig',
          configMap,
          '',
        );
    }
  }
  return problems;
}
