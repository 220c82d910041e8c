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
} from './orders';
export { PingSourcePing } from './sources';
