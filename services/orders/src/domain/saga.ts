/**
 * The order saga as one declarative table, like the seed's Step Functions definition: each step
 * names its action, its compensation, its timeout and what a failure makes of the order.
 * The decisions below are pure: given the saga's state and an outcome, what happens next.
 */
export type StepName = 'reserve-inventory' | 'charge-payment' | 'create-shipment';
export type Phase = 'action' | 'compensation';
export type Outcome = 'succeeded' | 'failed' | 'timed-out';
export type OrderStatus = 'PENDING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

export interface SagaStep {
  name: StepName;
  compensable: boolean;
  timeoutMs: number;
  /** what the order becomes when this step's action fails */
  onFailure: 'CANCELLED' | 'FAILED';
}

export const orderSaga: readonly SagaStep[] = [
  { name: 'reserve-inventory', compensable: true, timeoutMs: 15_000, onFailure: 'CANCELLED' },
  { name: 'charge-payment', compensable: true, timeoutMs: 15_000, onFailure: 'CANCELLED' },
  { name: 'create-shipment', compensable: false, timeoutMs: 15_000, onFailure: 'FAILED' },
];

export interface SagaState {
  status: OrderStatus;
  /** the step whose answer the saga waits for, in which phase */
  awaiting: { step: StepName; phase: Phase } | null;
  /** actions that succeeded, in order */
  completed: StepName[];
  /** compensations still to run, in the order they run */
  compensating: StepName[];
  /** the status the order ends in once compensation is done */
  failure?: { status: 'CANCELLED' | 'FAILED'; reason: string };
}

export interface StepOutcome {
  step: StepName;
  phase: Phase;
  outcome: Outcome;
  reason?: string;
}

/** What the saga records in the order's history. */
export type SagaEvent =
  | { type: 'StepSucceeded'; data: { step: StepName; phase: Phase } }
  | { type: 'StepFailed'; data: { step: StepName; phase: Phase; outcome: Outcome; reason: string } }
  | { type: 'OrderCompleted'; data: Record<string, never> }
  | { type: 'OrderCancelled'; data: { reason: string } }
  | { type: 'OrderFailed'; data: { reason: string } };

export interface SagaDecision {
  state: SagaState;
  /** requests to send: the next action or compensation */
  send: Array<{ step: StepName; phase: Phase }>;
  events: SagaEvent[];
}

const stepNamed = (name: StepName) => orderSaga.find((s) => s.name === name) as SagaStep;

export function startSaga(): SagaDecision {
  const first = orderSaga[0] as SagaStep;
  return {
    state: {
      status: 'PENDING',
      awaiting: { step: first.name, phase: 'action' },
      completed: [],
      compensating: [],
    },
    send: [{ step: first.name, phase: 'action' }],
    events: [],
  };
}

function finish(state: SagaState, failure: NonNullable<SagaState['failure']>): SagaDecision {
  const event: SagaEvent =
    failure.status === 'CANCELLED'
      ? { type: 'OrderCancelled', data: { reason: failure.reason } }
      : { type: 'OrderFailed', data: { reason: failure.reason } };
  return {
    state: { ...state, status: failure.status, awaiting: null, compensating: [], failure },
    send: [],
    events: [event],
  };
}

function compensateOrFinish(
  state: SagaState,
  failure: NonNullable<SagaState['failure']>,
  events: SagaEvent[],
): SagaDecision {
  const compensating = [...state.completed].reverse().filter((name) => stepNamed(name).compensable);
  const [next] = compensating;
  if (!next) {
    const done = finish(state, failure);
    return { ...done, events: [...events, ...done.events] };
  }
  return {
    state: { ...state, awaiting: { step: next, phase: 'compensation' }, compensating, failure },
    send: [{ step: next, phase: 'compensation' }],
    events,
  };
}

/**
 * The saga's next move. An outcome the saga is not waiting for (a duplicate, or one arriving
 * after its step timed out) changes nothing, except that a late success of an action the saga
 * gave up on is compensated, so its effect does not linger.
 */
export function advanceSaga(state: SagaState, outcome: StepOutcome): SagaDecision {
  const awaited = state.awaiting?.step === outcome.step && state.awaiting.phase === outcome.phase;
  if (!awaited) {
    const lateSuccess =
      outcome.phase === 'action' &&
      outcome.outcome === 'succeeded' &&
      !state.completed.includes(outcome.step) &&
      stepNamed(outcome.step).compensable;
    return {
      state,
      send: lateSuccess ? [{ step: outcome.step, phase: 'compensation' }] : [],
      events: [],
    };
  }
  const reason = outcome.reason ?? `${outcome.step} ${outcome.outcome}`;

  if (outcome.phase === 'compensation') {
    if (outcome.outcome !== 'succeeded') {
      // A compensation must eventually take effect: ask again.
      return {
        state,
        send: [{ step: outcome.step, phase: 'compensation' }],
        events: [
          {
            type: 'StepFailed',
            data: { step: outcome.step, phase: 'compensation', outcome: outcome.outcome, reason },
          },
        ],
      };
    }
    const remaining = state.compensating.slice(1);
    const succeeded: SagaEvent = {
      type: 'StepSucceeded',
      data: { step: outcome.step, phase: 'compensation' },
    };
    const [next] = remaining;
    if (!next) {
      const done = finish(state, state.failure as NonNullable<SagaState['failure']>);
      return { ...done, events: [succeeded, ...done.events] };
    }
    return {
      state: { ...state, awaiting: { step: next, phase: 'compensation' }, compensating: remaining },
      send: [{ step: next, phase: 'compensation' }],
      events: [succeeded],
    };
  }

  if (outcome.outcome === 'succeeded') {
    const completed = [...state.completed, outcome.step];
    const succeeded: SagaEvent = {
      type: 'StepSucceeded',
      data: { step: outcome.step, phase: 'action' },
    };
    const next = orderSaga[orderSaga.findIndex((s) => s.name === outcome.step) + 1];
    if (!next) {
      return {
        state: { ...state, status: 'COMPLETED', awaiting: null, completed },
        send: [],
        events: [succeeded, { type: 'OrderCompleted', data: {} }],
      };
    }
    return {
      state: { ...state, awaiting: { step: next.name, phase: 'action' }, completed },
      send: [{ step: next.name, phase: 'action' }],
      events: [succeeded],
    };
  }

  const status = outcome.outcome === 'timed-out' ? 'FAILED' : stepNamed(outcome.step).onFailure;
  const failed: SagaEvent = {
    type: 'StepFailed',
    data: { step: outcome.step, phase: 'action', outcome: outcome.outcome, reason },
  };
  return compensateOrFinish(state, { status, reason }, [failed]);
}

export function timeoutOf(step: StepName): number {
  return stepNamed(step).timeoutMs;
}

export function isTerminal(status: OrderStatus): boolean {
  return status !== 'PENDING';
}
