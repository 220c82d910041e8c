/**
 * Admission control for new orders (seed 000 §6.3's back-pressure at the edge): an order is
 * accepted only while the orders already in flight get through their steps in time. The measure
 * is how long the open sagas' current steps have waited since the saga sent them, which is every
 * queue in front of a step handler and its answer together: when the broker backlog or a slow
 * handler holds steps back, their waits grow, and a new order would wait as long at every step.
 */
export interface FlightSample {
  /** sagas waiting for a step */
  open: number;
  /** the 90th percentile of how long those steps have waited so far, ms */
  p90WaitMs: number;
}

export interface AdmissionLimits {
  /** the step wait (p90) above which new orders are refused; 0 turns admission control off */
  maxStepWaitMs: number;
  /** so few open sagas are no backlog, however long they wait (one stuck on a dead step) */
  minOpen: number;
}

export type Admission =
  { admit: true } | { admit: false; reason: string; retryAfterSeconds: number };

const MAX_RETRY_AFTER_SECONDS = 60;

export function admission(sample: FlightSample | undefined, limits: AdmissionLimits): Admission {
  if (!sample || limits.maxStepWaitMs === 0) return { admit: true };
  if (sample.open < limits.minOpen || sample.p90WaitMs <= limits.maxStepWaitMs) {
    return { admit: true };
  }
  // The backlog drains at least as fast as it waits: come back after about one step's wait.
  const retryAfterSeconds = Math.min(
    MAX_RETRY_AFTER_SECONDS,
    Math.max(1, Math.ceil(sample.p90WaitMs / 1000)),
  );
  return {
    admit: false,
    reason: `overloaded: ${sample.open} orders in flight, their steps waiting ${(sample.p90WaitMs / 1000).toFixed(1)} s (p90, limit ${(limits.maxStepWaitMs / 1000).toFixed(1)} s); retry after ${retryAfterSeconds} s`,
    retryAfterSeconds,
  };
}
