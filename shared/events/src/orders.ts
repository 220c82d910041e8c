import { defineEvent } from './define';

const orderId = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;
const sku = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } as const;
const region = { type: 'string', pattern: '^[a-z0-9-]{1,32}$' } as const;
const customerId = { type: 'string', minLength: 1, maxLength: 64 } as const;
/**
 * Money is integer minor units (cents). An item's price is at most 10,000,000.00 and an order has
 * at most 100 items of at most 10,000 each, so a total stays at most 10^15: exact in a JSON
 * number (below 2^53 - 1) and within Postgres's bigint, which every money column is.
 */
export const MAX_UNIT_PRICE = 1_000_000_000;
export const MAX_ORDER_TOTAL = 1_000_000_000_000_000;
const money = { type: 'integer', minimum: 0, maximum: MAX_ORDER_TOTAL } as const;
const unitPrice = { type: 'integer', minimum: 0, maximum: MAX_UNIT_PRICE } as const;

const lineItems = {
  type: 'array',
  minItems: 1,
  maxItems: 100,
  items: {
    type: 'object',
    required: ['sku', 'quantity', 'unitPrice'],
    additionalProperties: false,
    properties: {
      sku,
      quantity: { type: 'integer', minimum: 1, maximum: 10_000 },
      unitPrice,
    },
  },
} as const;

/** A new order; producers set the `region` and `highvalue` extensions so triggers can filter. */
export const OrderPlaced = defineEvent('dev.eventline.orders.placed', {
  type: 'object',
  required: ['orderId', 'customerId', 'region', 'items', 'total', 'placedAt'],
  additionalProperties: false,
  properties: {
    orderId,
    customerId,
    region,
    items: lineItems,
    total: money,
    placedAt: { type: 'string', format: 'date-time' },
  },
} as const);

const compensationRequest = (type: string) =>
  defineEvent(type, {
    type: 'object',
    required: ['orderId'],
    additionalProperties: false,
    properties: { orderId },
  } as const);

export const ReserveInventoryRequested = defineEvent('dev.eventline.inventory.reserve-requested', {
  type: 'object',
  required: ['orderId', 'items'],
  additionalProperties: false,
  properties: { orderId, items: lineItems },
} as const);
export const ReleaseInventoryRequested = compensationRequest(
  'dev.eventline.inventory.release-requested',
);
export const ChargePaymentRequested = defineEvent('dev.eventline.payments.charge-requested', {
  type: 'object',
  required: ['orderId', 'customerId', 'amount'],
  additionalProperties: false,
  properties: { orderId, customerId, amount: money },
} as const);
export const RefundPaymentRequested = compensationRequest(
  'dev.eventline.payments.refund-requested',
);
export const CreateShipmentRequested = defineEvent('dev.eventline.shipping.create-requested', {
  type: 'object',
  required: ['orderId', 'region'],
  additionalProperties: false,
  properties: { orderId, region },
} as const);

/** Every step and compensation answers the saga with one of these. */
export const SagaStepOutcome = defineEvent('dev.eventline.orders.step-outcome', {
  type: 'object',
  required: ['orderId', 'step', 'phase', 'outcome'],
  additionalProperties: false,
  properties: {
    orderId,
    step: { enum: ['reserve-inventory', 'charge-payment', 'create-shipment'] },
    phase: { enum: ['action', 'compensation'] },
    outcome: { enum: ['succeeded', 'failed', 'timed-out'] },
    reason: { type: 'string', maxLength: 1000 },
  },
} as const);
