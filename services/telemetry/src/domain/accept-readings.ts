import type { Decider } from '@eventline/eventstore';
import { batchesOf, type Reading } from './reading';

export type AcceptReadings = {
  type: 'AcceptReadings';
  data: { readings: Reading[]; batchSize: number };
};
export type ReadingsAccepted = { type: 'ReadingsAccepted'; data: { readings: Reading[] } };

/** Validated readings are accepted as they are, cut into batches of at most `batchSize`. */
export const acceptReadingsDecider = {
  initialState: (): undefined => undefined,
  evolve: (): undefined => undefined,
  decide({ data }: AcceptReadings): ReadingsAccepted[] {
    return batchesOf(data.readings, data.batchSize).map((readings) => ({
      type: 'ReadingsAccepted',
      data: { readings },
    }));
  },
} satisfies Decider<undefined, AcceptReadings, ReadingsAccepted>;
