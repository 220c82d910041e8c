export {
  defineEvent,
  catalogEvent,
  accepting,
  dataschemaOf,
  parseDataschema,
  SCHEMA_BASE_URI,
  type EventDefinition,
  type SchemaVersion,
  type DataOf,
} from './define';
export { breakingChanges, publicationState, type PublicationState } from './compatibility';
export {
  asyncApiDocument,
  catalogHtml,
  type AsyncApiOptions,
  type CatalogRoute,
  type CatalogSources,
} from './asyncapi';
export { eventCatalog } from './catalog';
export { FeatureFlagChanged } from './generated/catalog';
export {
  OrderPlaced,
  ReserveInventoryRequested,
  ReleaseInventoryRequested,
  ChargePaymentRequested,
  RefundPaymentRequested,
  CreateShipmentRequested,
  SagaStepOutcome,
} from './generated/catalog';
export { MAX_UNIT_PRICE, MAX_ORDER_TOTAL } from './orders';
export { PingSourcePing } from './generated/catalog';
export {
  TransactionSubmitted,
  TransactionEnriched,
  TransactionScored,
  TransactionDecided,
  TransactionReviewed,
} from './generated/catalog';
export { MAX_VELOCITY_SUM, MAX_VELOCITY_COUNT } from './fraud';
export { ISO_COUNTRIES, ISO_CURRENCIES } from './iso-codes';
export {
  TelemetryReadingsReceived,
  AnomalyDetected,
  DeviceSilent,
  KafkaRecordEvent,
} from './generated/catalog';
export { MAX_READINGS_PER_EVENT, MAX_READING_MAGNITUDE } from './telemetry';
export { WorkflowTaskOutcome, WorkflowEchoRequested } from './generated/catalog';
export {
  CartUpdated,
  CartCheckedOut,
  CartAbandoned,
  PosPurchaseCompleted,
} from './generated/catalog';
export { ProductUpserted, RegionInventoryReported } from './generated/catalog';
