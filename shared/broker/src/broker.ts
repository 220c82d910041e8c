import type { BackoffPolicy } from '@eventline/routing';
import {
  contextFromTraceparent,
  inRecordedSpan,
  instruments,
  SECONDS_BUCKETS,
  type Attributes,
  type Logger,
  type ObservableResult,
} from '@eventline/telemetry';
import {
  messageOf,
  validMessage,
  type Event,
  type EventMessage,
} from '@eventline/cloudevents-http';
import { brokerIngress, type IngressHandler } from './ingress';
import { deliver, type DeliveryOutcome, type DeliveryTarget, type DirectRoute } from './dispatcher';
import type { EventLog, Subscription } from './backends/event-log';
import { compileTriggerFilter, type TriggerFilter } from './filters';
import { DEFAULT_TIMEOUT_MS, durationMs } from './retry-policy';

export interface TriggerSpec {
  name: string;
  /** URL of the subscriber (a Knative Service) */
  subscriber: string;
  filter: TriggerFilter;
  delivery: {
    retry: number;
    backoffPolicy: BackoffPolicy;
    backoffDelay: string;
    timeout?: string;
    /** URL of the dead-letter sink */
    deadLetterSink?: string;
  };
  ordered: boolean;
  maxInFlight?: number;
}

export interface TriggerStats {
  delivered: number;
  deadLettered: number;
  dropped: number;
  filtered: number;
}

/**
 * Sees what the broker does, as it does it: for operators' views (the local gateway's admin
 * endpoints), never on the delivery path's critical section (a throwing observer is ignored).
 */
export interface BrokerObserver {
  appended?(message: EventMessage): void;
  /** a delivery finished; `attempts` above 1 means it failed before (a retry) */
  settled?(
    trigger: string,
    outcome: Exclude<DeliveryOutcome['kind'], 'undeliverable'>,
    attempts: number,
  ): void;
}

export interface LocalBrokerOptions {
  namespace: string;
  name: string;
  eventLog: EventLog;
  logger: Logger;
  /** request body limit of the ingress, 1 MiB by default */
  bodyLimitBytes?: number;
  /** fault injection for tests: duplicates an at-least-once system produces */
  faults?: BrokerFaults;
  /** where deliveries go instead of a subscriber's address (see DirectRoute) */
  directRoute?: DirectRoute;
}

/**
 * Shares (0..1) of events duplicated on purpose, for tests of idempotency: the broker and its
 * producers are at-least-once, so every copy below also happens in production, only rarely.
 */
export interface BrokerFaults {
  /**
   * deliveries made twice at the same time, as two dispatchers may during a rebalance or a
   * redelivery after a lost acknowledgement overlaps the first attempt
   */
  duplicateDeliveries?: number;
  /**
   * events the ingress appends to the log twice, as a producer's retry after a lost 202 (an
   * edge request retried, an outbox row sent again after its relay died) does
   */
  duplicateAppends?: number;
}

/** How many copies the broker's faults made, by event type. */
export interface InjectedDuplicates {
  deliveries: Map<string, number>;
  appends: Map<string, number>;
}

function count(counts: Map<string, number>, type: string): void {
  counts.set(type, (counts.get(type) ?? 0) + 1);
}

/** What the broker records: per trigger, each delivery's outcome, duration, retries and lag. */
const brokerInstruments = instruments((meter) => ({
  appended: meter.createCounter('eventline.broker.events', {
    description: 'Events appended to the broker log, by how they came (ingress, reply, publish)',
    unit: '{event}',
  }),
  deliveries: meter.createCounter('eventline.broker.deliveries', {
    description:
      'Events a trigger finished with, by outcome: delivered, dead-lettered, dropped (no dead-letter sink) or undeliverable (delivered again later)',
    unit: '{event}',
  }),
  duration: meter.createHistogram('eventline.broker.delivery.duration', {
    description: 'From the first attempt to the outcome, retries and backoff included',
    unit: 's',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  }),
  retries: meter.createCounter('eventline.broker.delivery.retries', {
    description: 'Attempts after the first, subscriber and dead-letter sink',
    unit: '{attempt}',
  }),
  deadLetters: meter.createCounter('eventline.dead_letters.filed', {
    description: 'Events a trigger gave up on that its dead-letter sink took',
    unit: '{event}',
  }),
  lag: meter.createObservableGauge('eventline.broker.consumer.lag', {
    description: "Records of the broker's log a trigger has not finished with yet",
    unit: '{record}',
  }),
}));

const DEFAULT_MAX_IN_FLIGHT = 64;
const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Knative's names for the Kafka broker's resources. */
export const kafkaNames = {
  topic: (namespace: string, broker: string) => `knative-broker-${namespace}-${broker}`,
  consumerGroup: (namespace: string, trigger: string) => `knative-trigger-${namespace}-${trigger}`,
};

/**
 * A trigger's resolved DeliverySpec; a duration Knative would refuse is refused naming its field,
 * and a trigger without a timeout gets the Kafka broker dispatcher's default.
 */
export function deliveryTargetOf(spec: TriggerSpec): DeliveryTarget {
  const field = (name: string) => `trigger ${spec.name} delivery.${name}`;
  const timeoutMs =
    spec.delivery.timeout === undefined
      ? DEFAULT_TIMEOUT_MS
      : durationMs(spec.delivery.timeout, field('timeout'));
  // Knative's webhook refuses a zero timeout (DeliverySpec.Validate: t.IsZero()).
  if (timeoutMs <= 0)
    throw new Error(`${field('timeout')}: "${spec.delivery.timeout}" is zero; it must be longer`);
  return {
    trigger: spec.name,
    subscriber: spec.subscriber,
    retry: spec.delivery.retry,
    backoffPolicy: spec.delivery.backoffPolicy,
    backoffDelayMs: durationMs(spec.delivery.backoffDelay, field('backoffDelay')),
    timeoutMs,
    deadLetterSink: spec.delivery.deadLetterSink,
  };
}

const INGRESS = { via: 'ingress' };
const REPLIED = { via: 'reply' };
const PUBLISHED = { via: 'publish' };

type TriggerAttributes = Record<DeliveryOutcome['kind'], Attributes> & { trigger: Attributes };

/** A trigger's metric attributes, made once: recording them costs no object per delivery. */
function triggerAttributes(trigger: string): TriggerAttributes {
  const outcome = (kind: DeliveryOutcome['kind']) => ({ trigger, outcome: kind });
  return {
    trigger: { trigger },
    delivered: outcome('delivered'),
    'dead-lettered': outcome('dead-lettered'),
    dropped: outcome('dropped'),
    undeliverable: outcome('undeliverable'),
  };
}

/**
 * A Knative Broker with its Triggers, reproduced: an ingress answering 202 once the event is in
 * the log, a consumer group per trigger filtering and dispatching in binary mode, replies
 * re-entering the broker, retries and dead letters per each trigger's delivery spec.
 */
export class LocalBroker {
  readonly path: string;
  private readonly subscriptions: Subscription[] = [];
  private readonly stats = new Map<string, TriggerStats>();
  private appended = 0;
  private readonly injected: InjectedDuplicates = { deliveries: new Map(), appends: new Map() };
  private readonly observers = new Set<BrokerObserver>();
  private readonly metrics = brokerInstruments();
  private readonly lags = new Map<string, Subscription>();
  private readonly observeLag = async (result: ObservableResult) => {
    // A trigger whose lag cannot be read now (Kafka away) is left out of this scrape.
    await Promise.all(
      [...this.lags].map(async ([trigger, subscription]) => {
        const lag = await subscription.lag().catch(() => undefined);
        if (lag !== undefined) result.observe(lag, { trigger });
      }),
    );
  };

  constructor(private readonly options: LocalBrokerOptions) {
    this.path = `/${options.namespace}/${options.name}`;
    this.metrics.lag.addCallback(this.observeLag);
  }

  get topic(): string {
    return kafkaNames.topic(this.options.namespace, this.options.name);
  }

  get backend(): EventLog['kind'] {
    return this.options.eventLog.kind;
  }

  /**
   * Publishes an event built in code, as a producer posting to the ingress would: one the ingress
   * would refuse is refused here (InvalidEventError), rather than reach the log.
   */
  async publish(event: Event): Promise<void> {
    await this.append(validMessage(messageOf(event)), PUBLISHED);
  }

  private async append(message: EventMessage, how: { via: string }): Promise<void> {
    await this.options.eventLog.append(message);
    this.appended += 1;
    this.metrics.appended.add(1, how);
    this.notify((observer) => observer.appended?.(message));
  }

  private notify(call: (observer: BrokerObserver) => void): void {
    for (const observer of this.observers) {
      try {
        call(observer);
      } catch (err) {
        this.options.logger.warn({ err }, 'broker observer failed; ignored');
      }
    }
  }

  /** Adds an observer; the function returned removes it. */
  observe(observer: BrokerObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Events in the log so far: published, through the ingress, and replies. */
  get eventsAppended(): number {
    return this.appended;
  }

  async addTrigger(spec: TriggerSpec): Promise<void> {
    const target = deliveryTargetOf(spec);
    const stats: TriggerStats = { delivered: 0, deadLettered: 0, dropped: 0, filtered: 0 };
    this.stats.set(spec.name, stats);
    const log = this.options.logger.child({ trigger: spec.name });
    // Compiled once here (a CESQL expression is parsed now), then run for every event of the log;
    // evaluation errors are reported only when someone reads debug logs.
    const accepts = compileTriggerFilter(
      spec.filter,
      log.isLevelEnabled('debug')
        ? {
            onEvaluationError: (expression, error, attributes) =>
              log.debug(
                { expression, error: error.message, kind: error.kind, id: attributes.id },
                'cesql filter: evaluation error, event filtered out',
              ),
          }
        : {},
    );
    const group = kafkaNames.consumerGroup(this.options.namespace, spec.name);
    const attributes = triggerAttributes(spec.name);
    const subscription = await this.options.eventLog.subscribe(
      group,
      {
        ordered: spec.ordered,
        maxInFlight: spec.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
        accepts: (attributes) => {
          const matches = accepts(attributes);
          if (!matches) stats.filtered += 1;
          return matches;
        },
      },
      // A rejection leaves the event uncommitted for the log to deliver again: the dead-letter sink
      // failed too, or the reply could not be appended (delivered again, the idempotent subscriber
      // answers the same reply, and it is appended then).
      // The dispatch span is a child of the context the event was made in (its traceparent).
      (message) =>
        inRecordedSpan(
          `${spec.name} deliver`,
          () => contextFromTraceparent(message.attributes.traceparent),
          'consumer',
          async (span) => {
            span?.setAttributes({
              'messaging.destination.name': this.topic,
              'messaging.consumer.group.name': group,
              'cloudevents.event_id': message.attributes.id,
              'cloudevents.event_type': message.attributes.type,
            });
            const copies = this.draw('duplicateDeliveries', this.injected.deliveries, message)
              ? 2
              : 1;
            const outcomes = await Promise.all(
              Array.from({ length: copies }, () => this.delivery(message, target, log, attributes)),
            );
            const outcome = outcomes[0] as DeliveryOutcome;
            span?.setAttributes({
              'eventline.outcome': outcome.kind,
              'eventline.attempts': outcome.attempts,
            });
            for (const each of outcomes) await this.settle(spec.name, stats, each);
          },
        ),
    );
    this.subscriptions.push(subscription);
    this.lags.set(spec.name, subscription);
  }

  /** One delivery, recorded: its outcome, duration and retries per trigger. */
  private async delivery(
    message: EventMessage,
    target: DeliveryTarget,
    log: Logger,
    attributes: TriggerAttributes,
  ): Promise<DeliveryOutcome> {
    const started = performance.now();
    const outcome = await deliver(message, target, log, this.options.directRoute);
    const recorded = attributes[outcome.kind];
    this.metrics.deliveries.add(1, recorded);
    this.metrics.duration.record((performance.now() - started) / 1000, recorded);
    if (outcome.attempts > 1) this.metrics.retries.add(outcome.attempts - 1, attributes.trigger);
    if (outcome.kind === 'dead-lettered') this.metrics.deadLetters.add(1, attributes.trigger);
    return outcome;
  }

  private async settle(
    trigger: string,
    stats: TriggerStats,
    outcome: DeliveryOutcome,
  ): Promise<void> {
    if (outcome.kind === 'undeliverable')
      throw new Error(`neither subscriber nor dead-letter sink took the event: ${outcome.reason}`);
    if (outcome.kind === 'delivered' && outcome.reply) await this.append(outcome.reply, REPLIED);
    if (outcome.kind === 'delivered') stats.delivered += 1;
    else if (outcome.kind === 'dead-lettered') stats.deadLettered += 1;
    else stats.dropped += 1;
    const { kind, attempts } = outcome;
    this.notify((observer) => observer.settled?.(trigger, kind, attempts));
  }

  /** Whether to inject one more copy of `message` by fault `fault`; counted when it does. */
  private draw(
    fault: keyof BrokerFaults,
    counts: Map<string, number>,
    message: EventMessage,
  ): boolean {
    if (Math.random() >= (this.options.faults?.[fault] ?? 0)) return false;
    count(counts, String(message.attributes.type));
    return true;
  }

  /** The copies the broker's faults made so far (none without `faults`). */
  get injectedDuplicates(): InjectedDuplicates {
    return this.injected;
  }

  triggerStats(name: string): TriggerStats | undefined {
    return this.stats.get(name);
  }

  /** The triggers' names, in the order they were added. */
  get triggerNames(): string[] {
    return [...this.stats.keys()];
  }

  /** The ingress: POST a CloudEvent to /<namespace>/<broker>. */
  ingress(): IngressHandler {
    return brokerIngress({
      path: this.path,
      bodyLimitBytes: this.options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
      publish: async (message) => {
        await this.append(message, INGRESS);
        if (this.draw('duplicateAppends', this.injected.appends, message))
          await this.append(message, INGRESS);
      },
      log: this.options.logger,
    });
  }

  async close(): Promise<void> {
    this.metrics.lag.removeCallback(this.observeLag);
    this.lags.clear();
    await Promise.all(this.subscriptions.splice(0).map((s) => s.stop()));
    await this.options.eventLog.close();
  }
}
