import { defineEvent } from './define';
import { MAX_ORDER_TOTAL } from './orders';

const transactionId = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;
const customerId = { type: 'string', minLength: 1, maxLength: 64 } as const;
/** Integer minor units of the transaction's currency, bounded as orders' money is. */
const amount = { type: 'integer', minimum: 0, maximum: MAX_ORDER_TOTAL } as const;
const instant = { type: 'string', format: 'date-time' } as const;
const probability = { type: 'number', minimum: 0, maximum: 1 } as const;
const modelVersion = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } as const;

/**
 * A velocity sum saturates here: every amount is at most 10^15, so a sum below this bound plus
 * one more amount stays below 2^53 and is exact in a JSON number and in Redis's Lua doubles.
 */
export const MAX_VELOCITY_SUM = 8 * MAX_ORDER_TOTAL;
/** A customer's velocity counts saturate here: the window keeps at most this many transactions. */
export const MAX_VELOCITY_COUNT = 10_000;

const transaction = {
  type: 'object',
  required: ['transactionId', 'customerId', 'amount', 'currency', 'merchant', 'country', 'at'],
  additionalProperties: false,
  properties: {
    transactionId,
    customerId,
    amount,
    /** ISO 4217 */
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    merchant: { type: 'string', minLength: 1, maxLength: 128 },
    /** ISO 3166-1 alpha-2 */
    country: { type: 'string', pattern: '^[A-Z]{2}$' },
    at: instant,
  },
} as const;

const count = { type: 'integer', minimum: 0, maximum: MAX_VELOCITY_COUNT } as const;
const sum = { type: 'integer', minimum: 0, maximum: MAX_VELOCITY_SUM } as const;

/** What enrichment learned about a transaction's customer: profile, history and velocity. */
const enrichment = {
  type: 'object',
  required: ['accountAgeDays', 'homeCountry', 'history', 'velocity'],
  additionalProperties: false,
  properties: {
    accountAgeDays: { type: 'number', minimum: 0, maximum: 1_000_000 },
    homeCountry: { type: 'string', pattern: '^[A-Z]{2}$' },
    history: {
      type: 'object',
      required: ['transactions', 'meanAmount', 'merchantSeen', 'countrySeen'],
      additionalProperties: false,
      properties: {
        /** earlier transactions of the customer (90 days) */
        transactions: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
        /** their mean amount in this transaction's currency; 0 when there is none */
        meanAmount: amount,
        merchantSeen: { type: 'boolean' },
        countrySeen: { type: 'boolean' },
      },
    },
    velocity: {
      type: 'object',
      required: ['count1m', 'sum1m', 'count1h', 'sum1h', 'source'],
      additionalProperties: false,
      properties: {
        count1m: count,
        sum1m: sum,
        count1h: count,
        sum1h: sum,
        /** redis, or postgres when Redis could not answer */
        source: { enum: ['redis', 'postgres'] },
      },
    },
  },
} as const;

const reasons = {
  type: 'array',
  maxItems: 5,
  items: {
    type: 'object',
    required: ['feature', 'contribution'],
    additionalProperties: false,
    properties: {
      feature: { type: 'string', pattern: '^[A-Za-z0-9]{1,64}$' },
      /** the feature's share of the model's log-odds */
      contribution: { type: 'number', minimum: -1000, maximum: 1000 },
    },
  },
} as const;

const rules = {
  type: 'array',
  maxItems: 20,
  items: {
    type: 'object',
    required: ['rule', 'effect'],
    additionalProperties: false,
    properties: {
      rule: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' },
      effect: { enum: ['review', 'decline'] },
    },
  },
} as const;

const decision = { enum: ['approve', 'review', 'decline'] } as const;

export const TransactionSubmitted = defineEvent('dev.eventline.fraud.transaction-submitted', {
  ...transaction,
  required: [...transaction.required, 'submittedAt'],
  properties: { ...transaction.properties, submittedAt: instant },
} as const);

export const TransactionEnriched = defineEvent('dev.eventline.fraud.transaction-enriched', {
  type: 'object',
  required: ['transaction', 'enrichment'],
  additionalProperties: false,
  properties: { transaction, enrichment },
} as const);

/** The FraudScore: the model's probability of fraud, why, and the rules that fired. */
export const TransactionScored = defineEvent('dev.eventline.fraud.transaction-scored', {
  type: 'object',
  required: ['transactionId', 'customerId', 'score', 'modelVersion', 'reasons', 'rules'],
  additionalProperties: false,
  properties: { transactionId, customerId, score: probability, modelVersion, reasons, rules },
} as const);

export const TransactionDecided = defineEvent('dev.eventline.fraud.transaction-decided', {
  type: 'object',
  required: ['transactionId', 'customerId', 'decision', 'score', 'modelVersion', 'decidedAt'],
  additionalProperties: false,
  properties: {
    transactionId,
    customerId,
    decision,
    score: probability,
    modelVersion,
    decidedAt: instant,
    /** a review's deadline: unanswered by then, the transaction is declined */
    reviewDueAt: instant,
  },
} as const);

/** The end of a review: a reviewer's answer, or a decline when none came in time. */
export const TransactionReviewed = defineEvent('dev.eventline.fraud.transaction-reviewed', {
  type: 'object',
  required: ['transactionId', 'customerId', 'decision', 'by', 'reviewedAt'],
  additionalProperties: false,
  properties: {
    transactionId,
    customerId,
    decision: { enum: ['approve', 'decline'] },
    by: { enum: ['reviewer', 'timeout'] },
    reviewedAt: instant,
  },
} as const);
