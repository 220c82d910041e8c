import type { Decider } from '@eventline/eventstore';
import type { SetFlagCommand } from '../../domain/flag';

export type SetFlag = { type: 'SetFlag'; data: SetFlagCommand };

export type FlagSetEvent = { type: 'FlagSet'; data: SetFlagCommand };

/** What a flag was last asked to be. */
export type RequestedFlag = { enabled: boolean } | undefined;

/**
 * Every request to set a flag is recorded, a repeat of its current value too: the command log
 * gives each a version, the projection keeps the latest, so a repeat changes nothing downstream.
 */
export const setFlagDecider = {
  initialState: (): RequestedFlag => undefined,
  evolve: (_flag: RequestedFlag, { data }: FlagSetEvent): RequestedFlag => ({
    enabled: data.enabled,
  }),
  decide({ data }: SetFlag): [FlagSetEvent] {
    return [{ type: 'FlagSet', data }];
  },
} satisfies Decider<RequestedFlag, SetFlag, FlagSetEvent>;
