import type { Decider } from '@eventline/eventstore';

/**
 * The order saga as one declarative table, like the seed's Step Functions definition: each step
 * names its action, its compensation, its timeout and what a failure makes of the order.
 * Its decider is pure: given what the saga did so far and a step's outcome, what happens next.
 */
export type StepName = 'reserve-inventory' | 'charge-payment' | 'create-shipment';
export type Phase = 'action' | 'compensation';
export type Outcome = 'succeeded' | 'failed' | 'timed-out';
export type OrderStatus = 'PENDING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

interface SagaStep {
  name: StepName;
  compensable: boolean;
  timeoutMs: number;
  /** what the order becomes when this step's action fails */
  onFailure: 'CANCELLED' | 'FAILED';
}

const orderSagaSteps: readonly SagaStep[] = [
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

/** What the saga asks of its steps: sent as requests, not recorded in the order's history. */
export type SagaRequest =
  /** the saga asks a step's action or compensation and waits for its answer */
  | { type: 'StepRequested'; data: { step: StepName; phase: Phase } }
  /** an action that succeeded after the saga gave up on it is undone, without waiting */
  | { type: 'LateSuccessCompensated'; data: { step: StepName } };

export type SagaMove = SagaEvent | SagaRequest;

export type SagaCommand =
  | { type: 'StartSaga'; data: Record<string, never> }
  | { type: 'RecordStepOutcome'; data: StepOutcome };

const stepNamed = (name: StepName) => orderSagaSteps.find((s) => s.name === name) as SagaStep;

/** What a failed action makes of the order: a timeout always fails it. */
const failureStatus = (step: StepName, outcome: Outcome) =>
  outcome === 'timed-out' ? 'FAILED' : stepNamed(step).onFailure;

/** Compensations of the actions that succeeded, in reverse order. */
const compensationsOf = (completed: StepName[]) =>
  [...completed].reverse().filter((name) => stepNamed(name).compensable);

const requested = (step: StepName, phase: Phase): SagaMove => ({
  type: 'StepRequested',
  data: { step, phase },
});

const ending = (failure: NonNullable<SagaState['failure']>): SagaMove =>
  failure.status === 'CANCELLED'
    ? { type: 'OrderCancelled', data: { reason: failure.reason } }
    : { type: 'OrderFailed', data: { reason: failure.reason } };

/**
 * An outcome the saga is not waiting for (a duplicate, or one arriving after its step timed out)
 * changes nothing, except that a late success of an action the saga gave up on is compensated,
 * so its effect does not linger.
 */
function decideOutcome(state: SagaState, outcome: StepOutcome): SagaMove[] {
  const { step, phase } = outcome;
  const awaited = state.awaiting?.step === step && state.awaiting.phase === phase;
  if (!awaited) {
    const lateSuccess =
      phase === 'action' &&
      outcome.outcome === 'succeeded' &&
      !state.completed.includes(step) &&
      stepNamed(step).compensable;
    return lateSuccess ? [{ type: 'LateSuccessCompensated', data: { step } }] : [];
  }
  const reason = outcome.reason ?? `${step} ${outcome.outcome}`;
  if (outcome.outcome !== 'succeeded') {
    const failed: SagaMove = {
      type: 'StepFailed',
      data: { step, phase, outcome: outcome.outcome, reason },
    };
    // A compensation must eventually take effect: ask again.
    if (phase === 'compensation') return [failed, requested(step, 'compensation')];
    const [firstCompensation] = compensationsOf(state.completed);
    if (firstCompensation) return [failed, requested(firstCompensation, 'compensation')];
    return [failed, ending({ status: failureStatus(step, outcome.outcome), reason })];
  }
  const succeeded: SagaMove = { type: 'StepSucceeded', data: { step, phase } };
  if (phase === 'compensation') {
    const [, nextCompensation] = state.compensating;
    return nextCompensation
      ? [succeeded, requested(nextCompensation, 'compensation')]
      : [succeeded, ending(state.failure as NonNullable<SagaState['failure']>)];
  }
  const next = orderSagaSteps[orderSagaSteps.findIndex((s) => s.name === step) + 1];
  return next
    ? [succeeded, requested(next.name, 'action')]
    : [succeeded, { type: 'OrderCompleted', data: {} }];
}

function ended(state: SagaState, failure: NonNullable<SagaState['failure']>): SagaState {
  return { ...state, status: failure.status, awaiting: null, compensating: [], failure };
}

export const sagaDecider = {
  initialState: (): SagaState => ({
    status: 'PENDING',
    awaiting: null,
    completed: [],
    compensating: [],
  }),

  decide(command: SagaCommand, state: SagaState): SagaMove[] {
    if (command.type === 'RecordStepOutcome') return decideOutcome(state, command.data);
    // A saga starts once: a started one awaits a step or has ended.
    if (state.awaiting || state.status !== 'PENDING') return [];
    const first = orderSagaSteps[0] as SagaStep;
    return [requested(first.name, 'action')];
  },

  evolve(state: SagaState, move: SagaMove): SagaState {
    switch (move.type) {
      case 'StepRequested':
        return { ...state, awaiting: { step: move.data.step, phase: move.data.phase } };
      case 'LateSuccessCompensated':
        return state;
      case 'StepSucceeded':
        return move.data.phase === 'action'
          ? { ...state, completed: [...state.completed, move.data.step] }
          : { ...state, compensating: state.compensating.slice(1) };
      case 'StepFailed': {
        if (move.data.phase === 'compensation') return state;
        const { step, outcome, reason } = move.data;
        const status = outcome === 'timed-out' ? 'FAILED' : stepNamed(step).onFailure;
        return {
          ...state,
          compensating: compensationsOf(state.completed),
          failure: { status, reason },
        };
      }
      case 'OrderCompleted':
        return { ...state, status: 'COMPLETED', awaiting: null };
      case 'OrderCancelled':
        return ended(state, { status: 'CANCELLED', reason: move.data.reason });
      case 'OrderFailed':
        return ended(state, { status: 'FAILED', reason: move.data.reason });
    }
  },
} satisfies Decider<SagaState, SagaCommand, SagaMove>;

/** A saga decision as persistence takes it: the state to store, the requests to send, the history. */
export interface SagaDecision {
  state: SagaState;
  /** requests to send: the next action or compensation */
  send: Array<{ step: StepName; phase: Phase }>;
  events: SagaEvent[];
}

function decisionOf(state: SagaState, moves: SagaMove[]): SagaDecision {
  const send: SagaDecision['send'] = [];
  const events: SagaEvent[] = [];
  for (const move of moves) {
    if (move.type === 'StepRequested') send.push(move.data);
    else if (move.type === 'LateSuccessCompensated')
      send.push({ step: move.data.step, phase: 'compensation' });
    else events.push(move);
  }
  return { state: moves.reduce(sagaDecider.evolve, state), send, events };
}

export function startSaga(): SagaDecision {
  const state = sagaDecider.initialState();
  return decisionOf(state, sagaDecider.decide({ type: 'StartSaga', data: {} }, state));
}

/** The saga's next move after a step's outcome. */
export function advanceSaga(state: SagaState, outcome: StepOutcome): SagaDecision {
  return decisionOf(state, sagaDecider.decide({ type: 'RecordStepOutcome', data: outcome }, state));
}

export function timeoutOf(step: StepName): number {
  return stepNamed(step).timeoutMs;
}

export function isTerminal(status: OrderStatus): boolean {
  return status !== 'PENDING';
}
