import { TransactionEnriched } from './generated/catalog';

const { velocity } = TransactionEnriched.schema.properties.enrichment.properties;
/**
 * A velocity sum saturates here: every amount is at most 10^15, so a sum below this bound plus
 * one more amount stays below 2^53 and is exact in a JSON number and in Redis's Lua doubles.
 */
export const MAX_VELOCITY_SUM = velocity.properties.sum1m.maximum;
/** A customer's velocity counts saturate here: the window keeps at most this many transactions. */
export const MAX_VELOCITY_COUNT = velocity.properties.count1m.maximum;
