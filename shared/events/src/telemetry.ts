import { TelemetryReadingsReceived } from './generated/catalog';

const { readings } = TelemetryReadingsReceived.schema.properties;
/**
 * Readings travel in batches (seed 004: batch small, frequent events), so one CloudEvent carries
 * up to this many and the broker moves batches, not readings.
 */
export const MAX_READINGS_PER_EVENT = readings.maxItems;
/** Readings are physical measurements; anything beyond this magnitude is a broken sensor or unit. */
export const MAX_READING_MAGNITUDE = readings.items.properties.value.maximum;
