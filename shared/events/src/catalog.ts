import type { EventDefinition } from './define';
import { FeatureFlagChanged } from './flags';
import {
  TransactionDecided,
  TransactionEnriched,
  TransactionReviewed,
  TransactionScored,
  TransactionSubmitted,
} from './fraud';
import {
  ChargePaymentRequested,
  CreateShipmentRequested,
  OrderPlaced,
  RefundPaymentRequested,
  ReleaseInventoryRequested,
  ReserveInventoryRequested,
  SagaStepOutcome,
} from './orders';
import { PingSourcePing } from './sources';
import {
  AnomalyDetected,
  DeviceSilent,
  KafkaRecordEvent,
  TelemetryReadingsReceived,
} from './telemetry';

/** Every CloudEvent type Eventline emits or accepts; contract tests validate against these. */
export const eventCatalog: EventDefinition[] = [
  FeatureFlagChanged,
  OrderPlaced,
  ReserveInventoryRequested,
  ReleaseInventoryRequested,
  ChargePaymentRequested,
  RefundPaymentRequested,
  CreateShipmentRequested,
  SagaStepOutcome,
  PingSourcePing,
  TransactionSubmitted,
  TransactionEnriched,
  TransactionScored,
  TransactionDecided,
  TransactionReviewed,
  TelemetryReadingsReceived,
  AnomalyDetected,
  DeviceSilent,
  KafkaRecordEvent,
];
