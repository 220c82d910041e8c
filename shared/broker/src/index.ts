export {
  LocalBroker,
  kafkaNames,
  type TriggerSpec,
  type TriggerStats,
  type LocalBrokerOptions,
} from './broker';
export {
  eventFromHttp,
  binaryMessage,
  withExtensions,
  InvalidEventError,
  CloudEvent,
  type Event,
} from './cloudevent-http';
export { postEvent, replyOf, type HttpResponse } from './http-delivery';
export { deliver, type DeliveryTarget, type DeliveryOutcome } from './dispatcher';
export { matchesTrigger, matchesExpression, type TriggerFilter } from './filters';
export { durationMs, backoffMs, isRetryable } from './retry-policy';
export type { EventLog, Subscription, ConsumeOptions } from './backends/event-log';
export { MemoryEventLog } from './backends/memory';
export { KafkaEventLog, toRecord, fromRecord } from './backends/kafka';
