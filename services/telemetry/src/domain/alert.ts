import type { Decider } from '@eventline/eventstore';

export interface Alert {
  /** what raised it, e.g. `anomaly:d-1/temperature@2026-01-01T00:00:00.000Z` */
  cause: string;
  deviceId: string;
  kind: 'anomaly' | 'silence';
  metric?: string;
  raisedAt: string;
  details: Record<string, unknown>;
}

export type RaiseAlert = { type: 'RaiseAlert'; data: Alert };
export type AlertRaised = { type: 'AlertRaised'; data: Alert };

/** Whether an alert of this cause is already stored. */
export type AlertState = { stored: boolean };

/** An alert is raised once per cause: an anomaly or a silence reported again changes nothing. */
export const alertDecider = {
  initialState: (): AlertState => ({ stored: false }),
  evolve: (): AlertState => ({ stored: true }),
  decide({ data }: RaiseAlert, state: AlertState): AlertRaised[] {
    return state.stored ? [] : [{ type: 'AlertRaised', data }];
  },
} satisfies Decider<AlertState, RaiseAlert, AlertRaised>;
