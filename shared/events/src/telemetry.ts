import { defineEvent } from './define';

/**
 * Readings travel in batches (seed 004: batch small, frequent events), so one CloudEvent carries
 * up to this many and the broker moves batches, not readings.
 */
export const MAX_READINGS_PER_EVENT = 1000;
/** Readings are physical measurements; anything beyond this magnitude is a broken sensor or unit. */
export const MAX_READING_MAGNITUDE = 1e12;

const deviceId = { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,64}$' } as const;
const metric = { type: 'string', pattern: '^[a-z][a-z0-9_.]{0,63}$' } as const;
const deviceType = { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,31}$' } as const;
const value = {
  type: 'number',
  minimum: -MAX_READING_MAGNITUDE,
  maximum: MAX_READING_MAGNITUDE,
} as const;
const at = { type: 'string', format: 'date-time' } as const;

/** A batch of validated readings from one producer: the HTTP edge or the raw topic's intake. */
export const TelemetryReadingsReceived = defineEvent('dev.eventline.telemetry.readings-received', {
  type: 'object',
  required: ['readings'],
  additionalProperties: false,
  properties: {
    readings: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_READINGS_PER_EVENT,
      items: {
        type: 'object',
        required: ['deviceId', 'metric', 'value', 'at'],
        additionalProperties: false,
        properties: { deviceId, metric, value, at, deviceType },
      },
    },
  },
} as const);

/** A reading far from its device and metric's running mean, as the streaming detector saw it. */
export const AnomalyDetected = defineEvent('dev.eventline.telemetry.anomaly-detected', {
  type: 'object',
  required: [
    'deviceId',
    'metric',
    'deviceType',
    'value',
    'at',
    'mean',
    'stddev',
    'zScore',
    'threshold',
  ],
  additionalProperties: false,
  properties: {
    deviceId,
    metric,
    deviceType,
    value,
    at,
    mean: value,
    // readings lie within ±MAX_READING_MAGNITUDE, so their spread is at most twice that
    stddev: { type: 'number', minimum: 0, maximum: 2 * MAX_READING_MAGNITUDE },
    zScore: { type: 'number', minimum: -1e15, maximum: 1e15 },
    threshold: { type: 'number', minimum: 0, maximum: 1000 },
  },
} as const);

/** A device that sent nothing for longer than its type's expected interval. */
export const DeviceSilent = defineEvent('dev.eventline.telemetry.device-silent', {
  type: 'object',
  required: ['deviceId', 'deviceType', 'lastSeenAt', 'silentForSeconds', 'expectedIntervalSeconds'],
  additionalProperties: false,
  properties: {
    deviceId,
    deviceType,
    lastSeenAt: at,
    silentForSeconds: { type: 'integer', minimum: 0, maximum: 1e10 },
    expectedIntervalSeconds: { type: 'integer', minimum: 1, maximum: 1e7 },
  },
} as const);

/**
 * What a Knative KafkaSource sends for a Kafka record that is not itself a CloudEvent: the
 * record's value as data, unchecked; the handler it reaches validates it and answers why not.
 */
export const KafkaRecordEvent = defineEvent('dev.knative.kafka.event', {});
