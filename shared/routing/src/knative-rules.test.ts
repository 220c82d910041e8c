// Each row of the Knative Eventing rule table refuses an object that breaks it, with Knative's
// message and path, and admits the valid objects the cases start from.
import { parseIsoPeriod } from './iso-period';
import {
  FILTERS_RULES,
  KNATIVE_RULES,
  KnativeObject,
  knativeProblems,
  formatProblem,
  RuleOptions,
} from './knative-rules';
import { robfigCronProblem } from './robfig-cron';

const ns = 'eventline';
// EventPolicies are admitted only with OIDC on; the cases about them start from a cluster that has it.
const options: RuleOptions = { namespace: ns, features: { 'authentication-oidc': 'enabled' } };

const serviceRef = (name: string) => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  name,
});
const brokerRef = () => ({
  apiVersion: 'eventing.knative.dev/v1',
  kind: 'Broker',
  name: 'default',
});

function valid(): Record<string, KnativeObject> {
  return {
    config: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kafka-broker-config' },
      data: {
        'bootstrap.servers': 'kafka:9092',
        'default.topic.partitions': '10',
        'default.topic.replication.factor': '1',
      },
    },
    broker: {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Broker',
      metadata: { name: 'default', annotations: { 'eventing.knative.dev/broker.class': 'Kafka' } },
      spec: {
        config: { apiVersion: 'v1', kind: 'ConfigMap', name: 'kafka-broker-config', namespace: ns },
        delivery: { retry: 5, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S' },
      },
    },
    trigger: {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Trigger',
      metadata: {
        name: 'order-saga',
        annotations: { 'kafka.eventing.knative.dev/delivery.order': 'ordered' },
      },
      spec: {
        broker: 'default',
        filter: { attributes: { type: 'dev.eventline.orders.placed' } },
        subscriber: { ref: serviceRef('order-saga') },
        delivery: {
          retry: 3,
          backoffPolicy: 'linear',
          backoffDelay: 'PT1S',
          timeout: 'PT10S',
          deadLetterSink: { ref: serviceRef('dead-letters') },
        },
      },
    },
    ping: {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'PingSource',
      metadata: { name: 'nightly' },
      spec: {
        schedule: '0 3 * * *',
        timezone: 'Europe/Paris',
        contentType: 'application/json',
        data: '{"report":"daily"}',
        sink: { ref: brokerRef() },
      },
    },
    binding: {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'SinkBinding',
      metadata: { name: 'orders-api-emits' },
      spec: { subject: serviceRef('orders-api'), sink: { ref: brokerRef() } },
    },
    policy: {
      apiVersion: 'eventing.knative.dev/v1alpha1',
      kind: 'EventPolicy',
      metadata: { name: 'order-saga-sends' },
      spec: {
        to: [{ ref: brokerRef() }],
        from: [
          { sub: 'system:serviceaccount:eventline:order-saga' },
          { sub: 'system:serviceaccount:eventline:order-saga-*' },
          { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Trigger', name: 'order-saga' } },
        ],
        filters: [{ any: [{ exact: { type: 'dev.eventline.inventory.reserve-requested' } }] }],
      },
    },
  };
}

type Objects = ReturnType<typeof valid>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = any;
const spec = (object: KnativeObject) => object.spec as Spec;

interface Case {
  rule: string;
  what: string;
  breaks: (o: Objects) => void;
  message: string;
  options?: Partial<RuleOptions>;
}

const cases: Case[] = [
  {
    rule: 'broker.class',
    what: 'an empty broker class annotation',
    breaks: (o) => (o.broker.metadata.annotations!['eventing.knative.dev/broker.class'] = ''),
    message: 'missing field(s): metadata.annotations[eventing.knative.dev/broker.class]',
  },
  {
    rule: 'broker.config',
    what: 'a config reference without a kind',
    breaks: (o) => delete spec(o.broker).config.kind,
    message: 'missing field(s): spec.config.kind',
  },
  {
    rule: 'broker.delivery',
    what: 'a broker delivery with a negative retry',
    breaks: (o) => (spec(o.broker).delivery.retry = -1),
    message: 'invalid value: -1: spec.delivery.retry',
  },
  {
    rule: 'kafka.broker.topic-config',
    what: 'a Kafka broker config with zero partitions',
    breaks: (o) => (o.config.data!['default.topic.partitions'] = '0'),
    message:
      'invalid configuration - numPartitions: 0 - replicationFactor: 1 - bootstrapServers: [kafka:9092]: data',
  },
  {
    rule: 'kafka.broker.topic-config',
    what: 'a Kafka broker config whose partitions are not a number',
    breaks: (o) => (o.config.data!['default.topic.partitions'] = 'ten'),
    message:
      'failed to parse config map eventline/kafka-broker-config: failed to parse "default.topic.partitions": strconv.ParseInt: parsing "ten": invalid syntax: data',
  },
  {
    rule: 'trigger.broker',
    what: 'a trigger naming no broker',
    breaks: (o) => delete spec(o.trigger).broker,
    message: 'missing field(s): spec.broker',
  },
  {
    rule: 'trigger.broker',
    what: 'a trigger with both broker and brokerRef',
    breaks: (o) => (spec(o.trigger).brokerRef = { name: 'default' }),
    message: 'expected exactly one, got both: spec.broker, spec.brokerRef',
  },
  {
    rule: 'trigger.brokerRef.namespace',
    what: 'a brokerRef in another namespace without cross-namespace-event-links',
    breaks: (o) => {
      delete spec(o.trigger).broker;
      spec(o.trigger).brokerRef = { name: 'default', namespace: 'other' };
    },
    message: 'must not set the field(s): spec.brokerRef.namespace',
  },
  {
    rule: 'trigger.filter.attributes',
    what: 'a filter attribute name with upper case',
    breaks: (o) => (spec(o.trigger).filter.attributes = { Type: 'x' }),
    message:
      'invalid key name "Type": spec.filter.attributes[Type]\nAttribute name must start with a letter and can only contain lowercase alphanumeric',
  },
  {
    rule: 'trigger.subscriber',
    what: 'a trigger without a subscriber',
    breaks: (o) => delete spec(o.trigger).subscriber,
    message: 'expected at least one, got none: spec.subscriber.ref, spec.subscriber.uri',
  },
  {
    rule: 'trigger.delivery',
    what: 'a trigger delivery with a bad backoff delay',
    breaks: (o) => (spec(o.trigger).delivery.backoffDelay = 'PT1X'),
    message: 'invalid value: PT1X: spec.delivery.backoffDelay',
  },
  {
    rule: 'trigger.dependency',
    what: 'a dependency annotation that is not JSON',
    breaks: (o) => (o.trigger.metadata.annotations!['knative.dev/dependency'] = 'ping'),
    message:
      'The provided annotation was not a corev1.ObjectReference: "ping": metadata.annotations[knative.dev/dependency]',
  },
  {
    rule: 'trigger.dependency',
    what: 'a dependency annotation without a kind',
    breaks: (o) =>
      (o.trigger.metadata.annotations!['knative.dev/dependency'] = JSON.stringify({
        apiVersion: 'sources.knative.dev/v1',
        name: 'nightly',
      })),
    message: 'missing field(s): metadata.annotations[knative.dev/dependency].kind',
  },
  {
    rule: 'trigger.injection',
    what: 'an injection annotation other than enabled or disabled',
    breaks: (o) => (o.trigger.metadata.annotations!['eventing.knative.dev/injection'] = 'true'),
    message:
      'The provided injection annotation value can only be "enabled" or "disabled", not "true": metadata.annotations[eventing.knative.dev/injection]',
  },
  {
    rule: 'kafka.trigger.delivery-order',
    what: 'a delivery order annotation Kafka does not know',
    breaks: (o) =>
      (o.trigger.metadata.annotations!['kafka.eventing.knative.dev/delivery.order'] = 'fifo'),
    message:
      'invalid annotation kafka.eventing.knative.dev/delivery.order value: fifo. Allowed values [ "ordered" | "unordered" ]',
  },
  {
    rule: 'delivery.deadLetterSink',
    what: 'a dead-letter sink with a relative URI and no ref',
    breaks: (o) => (spec(o.trigger).delivery.deadLetterSink = { uri: '/dead-letters' }),
    message:
      'invalid value: Relative URI is not allowed when Ref and [apiVersion, kind, name] is absent: spec.delivery.deadLetterSink.uri',
  },
  {
    rule: 'delivery.retry',
    what: 'a negative retry',
    breaks: (o) => (spec(o.trigger).delivery.retry = -2),
    message: 'invalid value: -2: spec.delivery.retry',
  },
  {
    rule: 'delivery.timeout.feature',
    what: 'a timeout with delivery-timeout disabled',
    breaks: () => undefined,
    options: { features: { 'delivery-timeout': 'disabled' } },
    message: 'must not set the field(s): spec.delivery.timeout',
  },
  {
    rule: 'delivery.timeout',
    what: 'a zero timeout',
    breaks: (o) => (spec(o.trigger).delivery.timeout = 'PT0S'),
    message: 'invalid value: PT0S: spec.delivery.timeout',
  },
  {
    rule: 'delivery.backoffPolicy',
    what: 'an unknown backoff policy',
    breaks: (o) => (spec(o.trigger).delivery.backoffPolicy = 'fibonacci'),
    message: 'invalid value: fibonacci: spec.delivery.backoffPolicy',
  },
  {
    rule: 'delivery.backoffDelay',
    what: 'a backoff delay in seconds without the ISO-8601 form',
    breaks: (o) => (spec(o.trigger).delivery.backoffDelay = '2s'),
    message: 'invalid value: 2s: spec.delivery.backoffDelay',
  },
  {
    rule: 'delivery.format',
    what: 'an unknown event format',
    breaks: (o) => (spec(o.trigger).delivery.format = 'structured'),
    message: 'invalid value: structured: spec.delivery.format',
  },
  {
    rule: 'delivery.retryAfterMax.feature',
    what: 'retryAfterMax with delivery-retryafter disabled (the default)',
    breaks: (o) => (spec(o.trigger).delivery.retryAfterMax = 'PT30S'),
    message: 'must not set the field(s): spec.delivery.retryAfterMax',
  },
  {
    rule: 'delivery.retryAfterMax',
    what: 'a negative retryAfterMax with delivery-retryafter enabled',
    breaks: (o) => (spec(o.trigger).delivery.retryAfterMax = '-PT30S'),
    options: { features: { 'delivery-retryafter': 'enabled' } },
    message: 'invalid value: -PT30S: spec.delivery.retryAfterMax',
  },
  {
    rule: 'destination.ref-or-uri',
    what: 'a subscriber with both a ref and an absolute URI',
    breaks: (o) => (spec(o.trigger).subscriber.uri = 'http://elsewhere.example'),
    message:
      'Absolute URI is not allowed when Ref or [apiVersion, kind, name] is present: spec.subscriber[apiVersion, kind, name], spec.subscriber.ref, spec.subscriber.uri',
  },
  {
    rule: 'destination.ref',
    what: 'a subscriber ref without a name',
    breaks: (o) => delete spec(o.trigger).subscriber.ref.name,
    message: 'missing field(s): spec.subscriber.ref.name',
  },
  {
    rule: 'kreference.name',
    what: 'a dead-letter sink ref with an empty name',
    breaks: (o) => (spec(o.trigger).delivery.deadLetterSink.ref.name = ''),
    message: 'missing field(s): spec.delivery.deadLetterSink.ref.name',
  },
  {
    rule: 'kreference.apiVersion',
    what: 'a ref with a group instead of an apiVersion (kreference-group disabled)',
    breaks: (o) => {
      delete spec(o.trigger).subscriber.ref.apiVersion;
      spec(o.trigger).subscriber.ref.group = 'serving.knative.dev';
    },
    message: 'must not set the field(s): spec.subscriber.ref.group',
  },
  {
    rule: 'kreference.kind',
    what: 'a sink ref without a kind',
    breaks: (o) => delete spec(o.ping).sink.ref.kind,
    message: 'missing field(s): spec.sink.ref.kind',
  },
  {
    rule: 'kreference.namespace',
    what: "a subscriber in another namespace than the trigger's",
    breaks: (o) => (spec(o.trigger).subscriber.ref.namespace = 'payments'),
    message:
      'mismatched namespaces: spec.subscriber.ref.namespace\nparent namespace: "eventline" does not match ref: "payments"',
  },
  {
    rule: 'ping.schedule.every',
    what: 'an @every schedule',
    breaks: (o) => (spec(o.ping).schedule = '@every 5m'),
    message: 'invalid value: unsupported descriptor @every: spec.schedule',
  },
  {
    rule: 'ping.schedule',
    what: 'an hour out of range',
    breaks: (o) => (spec(o.ping).schedule = '0 24 * * *'),
    message: 'invalid value: end of range (24) above maximum (23): 24: spec.schedule',
  },
  {
    rule: 'ping.schedule',
    what: 'day of week 7 (robfig counts 0-6)',
    breaks: (o) => (spec(o.ping).schedule = '0 3 * * 7'),
    message: 'invalid value: end of range (7) above maximum (6): 7: spec.schedule',
  },
  {
    rule: 'ping.timezone',
    what: 'a time zone in the wrong case (Go reads tzdata file names)',
    breaks: (o) => (spec(o.ping).timezone = 'europe/paris'),
    message:
      'invalid value: provided bad location europe/paris: unknown time zone europe/paris: spec.timezone',
  },
  {
    rule: 'ping.sink',
    what: 'a PingSource without a sink',
    breaks: (o) => delete spec(o.ping).sink,
    message: 'expected at least one, got none: spec.sink.ref, spec.sink.uri',
  },
  {
    rule: 'ping.data-or-dataBase64',
    what: 'both data and dataBase64',
    breaks: (o) => (spec(o.ping).dataBase64 = 'e30='),
    message: 'expected exactly one, got both: spec.data, spec.dataBase64',
  },
  {
    rule: 'ping.dataBase64',
    what: 'dataBase64 that is not base64',
    breaks: (o) => {
      delete spec(o.ping).data;
      spec(o.ping).dataBase64 = 'not base64!';
    },
    message: 'invalid value: illegal base64 data: spec.dataBase64',
  },
  {
    rule: 'ping.data.size',
    what: 'data over config-ping-defaults data-max-size',
    breaks: () => undefined,
    options: { pingDataMaxSize: 8 },
    message: 'invalid value: the data length of 18 bytes exceeds limit set at 8.: spec.data',
  },
  {
    rule: 'ping.data.json',
    what: 'JSON data that is an array, not an object',
    breaks: (o) => (spec(o.ping).data = '["daily"]'),
    message:
      'invalid value: json: cannot unmarshal array into Go value of type map[string]interface {}: spec.data',
  },
  {
    rule: 'ping.ceOverrides',
    what: 'a CloudEvent extension name with a dash',
    breaks: (o) => (spec(o.ping).ceOverrides = { extensions: { 'run-id': 'x' } }),
    message:
      'invalid key name "run-id": spec.ceOverrides.extensions\nkeys are expected to be alphanumeric',
  },
  {
    rule: 'sinkbinding.subject.namespace',
    what: "a subject in another namespace than the binding's",
    breaks: (o) => (spec(o.binding).subject.namespace = 'payments'),
    message: 'invalid value: payments: spec.subject.namespace',
  },
  {
    rule: 'sinkbinding.subject',
    what: 'a subject without apiVersion',
    breaks: (o) => delete spec(o.binding).subject.apiVersion,
    message: 'missing field(s): spec.subject.apiVersion',
  },
  {
    rule: 'sinkbinding.sink',
    what: 'a binding sink with a relative URI',
    breaks: (o) => (spec(o.binding).sink = { uri: 'broker-ingress/eventline/default' }),
    message:
      'invalid value: Relative URI is not allowed when Ref and [apiVersion, kind, name] is absent: spec.sink.uri',
  },
  {
    rule: 'sinkbinding.ceOverrides',
    what: 'an empty CloudEvent extension name',
    breaks: (o) => (spec(o.binding).ceOverrides = { extensions: { '': 'x' } }),
    message:
      'invalid key name "": spec.ceOverrides.extensions\nkeys are expected to be alphanumeric',
  },
  {
    rule: 'ceOverrides.extensions',
    what: 'an extension name with a dot',
    breaks: (o) => (spec(o.binding).ceOverrides = { extensions: { 'eventline.run': 'x' } }),
    message:
      'invalid key name "eventline.run": spec.ceOverrides.extensions\nkeys are expected to be alphanumeric',
  },
  {
    rule: 'tracker.apiVersion',
    what: 'a subject with an empty apiVersion',
    breaks: (o) => (spec(o.binding).subject.apiVersion = ''),
    message: 'missing field(s): spec.subject.apiVersion',
  },
  {
    rule: 'tracker.kind',
    what: 'a subject without a kind',
    breaks: (o) => delete spec(o.binding).subject.kind,
    message: 'missing field(s): spec.subject.kind',
  },
  {
    rule: 'tracker.name-or-selector',
    what: 'a subject with both a name and a selector',
    breaks: (o) => (spec(o.binding).subject.selector = { matchLabels: { app: 'orders' } }),
    message: 'expected exactly one, got both: spec.subject.selector, spec.subject.name',
  },
  {
    rule: 'tracker.name-or-selector',
    what: 'a subject name that is not a DNS-1123 label',
    breaks: (o) => (spec(o.binding).subject.name = 'Orders_API'),
    message:
      "invalid value: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character: spec.subject.name",
  },
  {
    rule: 'eventpolicy.oidc',
    what: 'an EventPolicy on a cluster without the OIDC feature (Eventing installs it disabled)',
    breaks: () => undefined,
    message: 'oidc-authentication feature not enabled',
    options: { features: { 'authentication-oidc': 'disabled' } },
  },
  {
    rule: 'eventpolicy.from',
    what: 'a sender with both a ref and a sub',
    breaks: (o) => (spec(o.policy).from[0].ref = brokerRef()),
    message: 'expected exactly one, got both: spec.from[0].ref, spec.from[0].sub',
  },
  {
    rule: 'eventpolicy.from',
    what: 'a sender with an empty sub',
    breaks: (o) => (spec(o.policy).from[0].sub = ''),
    message: 'expected exactly one, got neither: spec.from[0].ref, spec.from[0].sub',
  },
  {
    rule: 'eventpolicy.from',
    what: "a sub with '*' before its end",
    breaks: (o) => (spec(o.policy).from[1].sub = 'system:serviceaccount:*:order-saga'),
    message:
      "invalid value: system:serviceaccount:*:order-saga: spec.from[1].sub\n'*' is only allowed as suffix",
  },
  {
    rule: 'eventpolicy.from',
    what: 'a sender ref without a name',
    breaks: (o) => delete spec(o.policy).from[2].ref.name,
    message: 'missing field(s): spec.from[2].ref.name',
  },
  {
    rule: 'eventpolicy.to',
    what: 'a target with neither a ref nor a selector',
    breaks: (o) => (spec(o.policy).to = [{}]),
    message: 'expected exactly one, got neither: spec.to[0].ref, spec.to[0].selector',
  },
  {
    rule: 'eventpolicy.to',
    what: 'a target ref without a kind',
    breaks: (o) => delete spec(o.policy).to[0].ref.kind,
    message: 'missing field(s): spec.to[0].ref.kind',
  },
  {
    rule: 'eventpolicy.filters',
    what: 'a filter of two dialects',
    breaks: (o) => (spec(o.policy).filters = [{ exact: { type: 'a' }, prefix: { type: 'b' } }]),
    message:
      'spec.filters[0]: multiple dialects found, filters can have only one dialect set (exact, prefix)',
  },
];

describe('the Knative Eventing rule table', () => {
  it('admits the valid objects the cases start from', () => {
    expect(knativeProblems(Object.values(valid()), options)).toEqual([]);
  });

  it.each(cases)('$rule refuses $what', ({ rule, breaks, message, options: extra }) => {
    const objects = valid();
    breaks(objects);
    const problems = knativeProblems(Object.values(objects), { ...options, ...extra });
    // A nested structure's row refuses through the row that points at it (trigger.delivery).
    const refusing = problems.filter((p) => p.rule === rule || p.via.includes(rule));
    expect(refusing.map((p) => p.message)).toContain(message);
  });

  it('has a refusing case for every row', () => {
    const covered = new Set(cases.map((c) => c.rule));
    expect(KNATIVE_RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it('cites a source file and line range at a pinned release for every row', () => {
    for (const rule of [...KNATIVE_RULES, FILTERS_RULES]) {
      expect(rule.source.ref).toMatch(/^(knative-v\d+\.\d+\.\d+|v0\.0\.0-\d{14}-[0-9a-f]{12})$/);
      expect(rule.source.file).toMatch(/\.go$/);
      expect(rule.source.lines[0]).toBeLessThanOrEqual(rule.source.lines[1]);
    }
  });

  it('defaults a missing broker class and a subject namespace before validating, as the webhook does', () => {
    const objects = valid();
    delete objects.broker.metadata.annotations;
    const problems = knativeProblems(Object.values(objects), options);
    expect(problems).toEqual([]);
  });

  it('checks the Kafka config only for a Kafka-class Broker', () => {
    const objects = valid();
    objects.broker.metadata.annotations!['eventing.knative.dev/broker.class'] =
      'MTChannelBasedBroker';
    objects.config.data!['default.topic.partitions'] = '0';
    expect(knativeProblems(Object.values(objects), options)).toEqual([]);
  });

  it('names the object, its namespace, whether it is refused, and the source line', () => {
    const objects = valid();
    spec(objects.trigger).delivery.retry = -1;
    const [problem] = knativeProblems([objects.trigger], options);
    expect(formatProblem(problem!)).toBe(
      'Trigger eventline/order-saga refused: invalid value: -1: spec.delivery.retry (knative/eventing@knative-v1.22.2 pkg/apis/duck/v1/delivery_types.go:103-105)',
    );
  });
});

describe('ISO-8601 periods as rickb777/date v1.13.0 parses them', () => {
  it.each([
    ['PT0.2S', false],
    ['PT1H30M', false],
    ['P1DT12H', false],
    ['P2W', false],
    ['PT1,5S', false],
    ['-PT1S', false],
    ['P0', false],
    ['PT1.2.3S', false],
  ])('accepts %s', (text) => {
    expect(parseIsoPeriod(text).ok).toBe(true);
  });

  it.each(['', 'PT', 'P', '1S', 'PT1X', 'P1S', 'PT1M2H', 'PTS', '2s', 'P1.5.3'])(
    'refuses "%s"',
    (text) => {
      expect(parseIsoPeriod(text).ok).toBe(false);
    },
  );

  it('knows zero and negative periods', () => {
    expect(parseIsoPeriod('PT0S')).toMatchObject({ ok: true, zero: true });
    expect(parseIsoPeriod('P0D')).toMatchObject({ ok: true, zero: true });
    expect(parseIsoPeriod('P1W-7D')).toMatchObject({ ok: true, zero: true });
    expect(parseIsoPeriod('-PT1S')).toMatchObject({ ok: true, negative: true });
    expect(parseIsoPeriod('PT-1S')).toMatchObject({ ok: true, negative: true });
    expect(parseIsoPeriod('-PT-1S')).toMatchObject({ ok: true, negative: false });
  });
});

describe('cron schedules as robfig/cron v3.0.1 parses them for PingSource', () => {
  it.each([
    '* * * * *',
    '*/5 * * * *',
    '0 9-17 * * MON-FRI',
    '30 6 1,15 * ?',
    '0 0 1 jan *',
    '15 0 3 * * *',
    '@daily',
    '@midnight',
    'CRON_TZ=Europe/Paris 0 3 * * *',
    'CRON_TZ=US/Eastern 0 3 * * *',
  ])('accepts %s', (schedule) => {
    expect(robfigCronProblem(schedule)).toBeUndefined();
  });

  it.each([
    ['', 'empty spec string'],
    ['* * * *', 'expected 5 to 6 fields, found 4: [* * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['0 0 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['0 0 L * *', 'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    [
      'CRON_TZ=Mars/Olympus 0 3 * * *',
      'provided bad location Mars/Olympus: unknown time zone Mars/Olympus',
    ],
  ])('refuses "%s": %s', (schedule, problem) => {
    expect(robfigCronProblem(schedule)).toBe(problem);
  });
});
