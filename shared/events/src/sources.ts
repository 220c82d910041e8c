import { defineEvent } from './define';

/**
 * What a Knative PingSource sends on each tick of its schedule; its data is the source's payload.
 * Periodic jobs (timers, sweeps, retention) run on these instead of timers in a process, so a
 * job's handler scales to zero between ticks like any other.
 */
export const PingSourcePing = defineEvent('dev.knative.sources.ping', {});
