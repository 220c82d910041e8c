import type { Decider } from '@eventline/eventstore';
import { batchesOf, type Reading } from './reading';

export type AcceptReadings = {
  type: 'AcceptReadings';
  data: { readings: Reading[]; batchSize: number };
};
export type ReadingsAccepted = {
  type: 'ReadingsAccepted';
  data: { readings: Reading[] };
  /** the device group its readings belong to: the batch's partition key */
  group: number;
};

/**
 * Validated readings are accepted as they are, cut into batches of at most `batchSize` readings
 * of one device group each.
 */
export const acceptReadingsDecider = {
  initialState: (): undefined => undefined,
  evolve: (): undefined => undefined,
  decide({ data }: AcceptReadings): ReadingsAccepted[] {
    return batchesOf(data.readings, data.batchSize).map(({ group, readings }) => ({
      type: 'ReadingsAccepted',
      data: { readings },
      group,
    }));
  },
} satisfies Decider<undefined, AcceptReadings, ReadingsAccepted>;
