export { defineEvent, type EventDefinition, type DataOf } from './define';
export { eventCatalog } from './catalog';
export { FeatureFlagChanged } from './flags';
export {
  OrderPlaced,
  ReserveInventoryRequested,
  ReleaseInventoryRequested,
  ChargePaymentRequested,
  RefundPaymentRequested,
  CreateShipmentRequested,
  SagaStepOutcome,
  MAX_UNIT_PRICE,
  MAX_ORDER_TOTAL,
} from './orders';
export { PingSourcePing } from './sources';
export {
  TransactionSubmitted,
  TransactionEnriched,
  TransactionScored,
  TransactionDecided,
  TransactionReviewed,
  MAX_VELOCITY_SUM,
  MAX_VELOCITY_COUNT,
} from './fraud';
export { ISO_COUNTRIES, ISO_CURRENCIES } from './iso-codes';
export {
  TelemetryReadingsReceived,
  AnomalyDetected,
  DeviceSilent,
  KafkaRecordEvent,
  MAX_READINGS_PER_EVENT,
  MAX_READING_MAGNITUDE,
} from './telemetry';
