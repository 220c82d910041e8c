import { SagaStepOutcome } from '@eventline/events';
import { outgoing } from '@eventline/kit';
import type { Outcome, Phase, StepName } from './domain/saga';

/** The answer a step or compensation handler gives the saga, keyed by order for locality. */
export function stepOutcome(
  orderId: string,
  step: StepName,
  phase: Phase,
  outcome: Outcome,
  reason?: string,
) {
  return outgoing(
    SagaStepOutcome,
    { orderId, step, phase, outcome, ...(reason ? { reason } : {}) },
    { partitionkey: orderId },
  );
}
