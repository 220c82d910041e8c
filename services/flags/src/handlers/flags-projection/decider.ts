import type { Decider } from '@eventline/eventstore';
import type { FlagChanged, FlagView } from '../../domain/flag';

export type ProjectFlagChange = { type: 'ProjectFlagChange'; data: FlagChanged };

export type FlagViewEvent = { type: 'FlagViewChanged'; data: FlagView };

/** The read model of one flag: the latest change by version. */
export const flagsProjectionDecider = {
  initialState: (): FlagView | undefined => undefined,
  evolve: (_view: FlagView | undefined, { data }: FlagViewEvent): FlagView | undefined => data,
  decide({ data: change }: ProjectFlagChange, view: FlagView | undefined): FlagViewEvent[] {
    // Deliveries may be duplicated or reordered, so a change older than what the view already
    // shows leaves it as it is.
    if (view && view.version >= change.version) return [];
    const { key, enabled, version, changedAt } = change;
    return [{ type: 'FlagViewChanged', data: { key, enabled, version, updatedAt: changedAt } }];
  },
} satisfies Decider<FlagView | undefined, ProjectFlagChange, FlagViewEvent>;
