export {
  LocalBroker,
  deliveryTargetOf,
  kafkaNames,
  type TriggerSpec,
  type TriggerStats,
  type LocalBrokerOptions,
  type BrokerFaults,
  type InjectedDuplicates,
  type BrokerObserver,
} from './broker';
export { SenderPolicy, type SenderAllowance, type SenderRefusal } from './sender-policy';
export { deliver, type DeliveryTarget, type DeliveryOutcome, type DirectRoute } from './dispatcher';
export {
  compileTriggerFilter,
  compileExpression,
  type AttributePredicate,
  type FilterHooks,
  type TriggerFilter,
} from './filters';
export {
  durationMs,
  backoffMs,
  isRetryable,
  retryAfterMs,
  RETRY_AFTER_CAP_MS,
  DEFAULT_TIMEOUT_MS,
} from './retry-policy';
export type { EventLog, Subscription, ConsumeOptions } from './backends/event-log';
export { MemoryEventLog } from './backends/memory';
export { KafkaEventLog } from './backends/kafka';
export { LocalKafkaSource, cloudEventOfRecord, type LocalKafkaSourceOptions } from './kafka-source';
export { LocalKafkaSink, type LocalKafkaSinkOptions } from './kafka-sink';
