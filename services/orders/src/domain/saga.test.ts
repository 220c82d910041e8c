import { deciderSpec } from '@eventline/eventstore';
import {
  advanceSaga,
  sagaDecider,
  startSaga,
  type Outcome,
  type Phase,
  type SagaCommand,
  type SagaMove,
  type StepName,
} from './saga';

const spec = deciderSpec(sagaDecider);

const start: SagaCommand = { type: 'StartSaga', data: {} };
const answer = (
  step: StepName,
  outcome: Outcome,
  phase: Phase = 'action',
  reason?: string,
): SagaCommand => ({
  type: 'RecordStepOutcome',
  data: { step, phase, outcome, ...(reason ? { reason } : {}) },
});
const requested = (step: StepName, phase: Phase = 'action'): SagaMove => ({
  type: 'StepRequested',
  data: { step, phase },
});
const succeeded = (step: StepName, phase: Phase = 'action'): SagaMove => ({
  type: 'StepSucceeded',
  data: { step, phase },
});
const failed = (step: StepName, outcome: Outcome, reason: string, phase: Phase = 'action') =>
  ({ type: 'StepFailed', data: { step, phase, outcome, reason } }) as SagaMove;

const started = [requested('reserve-inventory')];
const reserved = [...started, succeeded('reserve-inventory'), requested('charge-payment')];
const charged = [...reserved, succeeded('charge-payment'), requested('create-shipment')];
const declined = [
  ...reserved,
  failed('charge-payment', 'failed', 'card declined'),
  requested('reserve-inventory', 'compensation'),
];

describe('order saga', () => {
  it('given a new order, when the saga starts, then it asks to reserve inventory', () => {
    spec
      .given([])
      .when(start)
      .then([requested('reserve-inventory')]);
  });

  it('given a started saga, when it is started again, then nothing happens', () => {
    spec.given(started).when(start).then([]);
  });

  it('given a started saga, when the reservation succeeds, then it asks to charge', () => {
    spec
      .given(started)
      .when(answer('reserve-inventory', 'succeeded'))
      .then([succeeded('reserve-inventory'), requested('charge-payment')]);
  });

  it('given reserved and charged, when shipping succeeds, then the order completes', () => {
    spec
      .given(charged)
      .when(answer('create-shipment', 'succeeded'))
      .then([succeeded('create-shipment'), { type: 'OrderCompleted', data: {} }]);
  });

  it('given stock is missing, when reservation fails, then the order is cancelled with the reason and nothing is compensated', () => {
    spec
      .given(started)
      .when(answer('reserve-inventory', 'failed', 'action', 'insufficient stock for sku-1'))
      .then([
        failed('reserve-inventory', 'failed', 'insufficient stock for sku-1'),
        { type: 'OrderCancelled', data: { reason: 'insufficient stock for sku-1' } },
      ]);
  });

  it('given inventory reserved, when payment is declined, then the inventory is released first', () => {
    spec
      .given(reserved)
      .when(answer('charge-payment', 'failed', 'action', 'card declined'))
      .then([
        failed('charge-payment', 'failed', 'card declined'),
        requested('reserve-inventory', 'compensation'),
      ]);
  });

  it('given a declined payment, when the inventory is released, then the order is cancelled with the decline as reason', () => {
    spec
      .given(declined)
      .when(answer('reserve-inventory', 'succeeded', 'compensation'))
      .then([
        succeeded('reserve-inventory', 'compensation'),
        { type: 'OrderCancelled', data: { reason: 'card declined' } },
      ]);
  });

  it('given shipping failed after a charge, when compensating, then payment is refunded, then inventory released, then the order fails', () => {
    const shippingFailed = [
      ...charged,
      failed('create-shipment', 'failed', 'no carrier'),
      requested('charge-payment', 'compensation'),
    ];
    spec
      .given(charged)
      .when(answer('create-shipment', 'failed', 'action', 'no carrier'))
      .then(shippingFailed.slice(charged.length));
    spec
      .given(shippingFailed)
      .when(answer('charge-payment', 'succeeded', 'compensation'))
      .then([
        succeeded('charge-payment', 'compensation'),
        requested('reserve-inventory', 'compensation'),
      ]);
    spec
      .given([
        ...shippingFailed,
        succeeded('charge-payment', 'compensation'),
        requested('reserve-inventory', 'compensation'),
      ])
      .when(answer('reserve-inventory', 'succeeded', 'compensation'))
      .then([
        succeeded('reserve-inventory', 'compensation'),
        { type: 'OrderFailed', data: { reason: 'no carrier' } },
      ]);
  });

  it('given a charge timed out and the inventory released, then the order fails with the timeout as reason', () => {
    spec
      .given(reserved)
      .when(answer('charge-payment', 'timed-out'))
      .then([
        failed('charge-payment', 'timed-out', 'charge-payment timed-out'),
        requested('reserve-inventory', 'compensation'),
      ]);
    spec
      .given([
        ...reserved,
        failed('charge-payment', 'timed-out', 'charge-payment timed-out'),
        requested('reserve-inventory', 'compensation'),
      ])
      .when(answer('reserve-inventory', 'succeeded', 'compensation'))
      .then([
        succeeded('reserve-inventory', 'compensation'),
        { type: 'OrderFailed', data: { reason: 'charge-payment timed-out' } },
      ]);
  });

  it('given an outcome already answered, when it arrives again, then nothing happens', () => {
    spec.given(reserved).when(answer('reserve-inventory', 'succeeded')).then([]);
  });

  it('given an action timed out, when its success arrives late, then that success is compensated', () => {
    spec
      .given([
        ...started,
        failed('reserve-inventory', 'timed-out', 'reserve-inventory timed-out'),
        { type: 'OrderFailed', data: { reason: 'reserve-inventory timed-out' } },
      ])
      .when(answer('reserve-inventory', 'succeeded'))
      .then([{ type: 'LateSuccessCompensated', data: { step: 'reserve-inventory' } }]);
  });

  it('given a compensation fails, when it is answered, then it is asked again', () => {
    spec
      .given(declined)
      .when(answer('reserve-inventory', 'failed', 'compensation'))
      .then([
        failed('reserve-inventory', 'failed', 'reserve-inventory failed', 'compensation'),
        requested('reserve-inventory', 'compensation'),
      ]);
  });
});

describe('a saga decision as persistence takes it', () => {
  it('given a new order, then the saga awaits the reservation and sends its request, recording nothing', () => {
    expect(startSaga()).toEqual({
      state: {
        status: 'PENDING',
        awaiting: { step: 'reserve-inventory', phase: 'action' },
        completed: [],
        compensating: [],
      },
      send: [{ step: 'reserve-inventory', phase: 'action' }],
      events: [],
    });
  });

  it('given a declined payment, then the saga awaits the release with the failure kept, and records the failure', () => {
    const reservedState = advanceSaga(startSaga().state, {
      step: 'reserve-inventory',
      phase: 'action',
      outcome: 'succeeded',
    }).state;
    const decision = advanceSaga(reservedState, {
      step: 'charge-payment',
      phase: 'action',
      outcome: 'failed',
      reason: 'card declined',
    });
    expect(decision.state).toEqual({
      status: 'PENDING',
      awaiting: { step: 'reserve-inventory', phase: 'compensation' },
      completed: ['reserve-inventory'],
      compensating: ['reserve-inventory'],
      failure: { status: 'CANCELLED', reason: 'card declined' },
    });
    expect(decision.send).toEqual([{ step: 'reserve-inventory', phase: 'compensation' }]);
    expect(decision.events.map((e) => e.type)).toEqual(['StepFailed']);
  });

  it('given a late success, then its compensation is sent while the state stays as it was', () => {
    const timedOut = advanceSaga(startSaga().state, {
      step: 'reserve-inventory',
      phase: 'action',
      outcome: 'timed-out',
    }).state;
    expect(timedOut.status).toBe('FAILED');
    expect(
      advanceSaga(timedOut, { step: 'reserve-inventory', phase: 'action', outcome: 'succeeded' }),
    ).toEqual({
      state: timedOut,
      send: [{ step: 'reserve-inventory', phase: 'compensation' }],
      events: [],
    });
  });
});
