import { advanceSaga, startSaga, type SagaState, type StepOutcome } from './saga';

const ok = (step: StepOutcome['step'], phase: StepOutcome['phase'] = 'action'): StepOutcome => ({
  step,
  phase,
  outcome: 'succeeded',
});
const run = (...outcomes: StepOutcome[]) =>
  outcomes.reduce<{ state: SagaState; sent: string[]; events: string[] }>(
    (acc, outcome) => {
      const decision = advanceSaga(acc.state, outcome);
      return {
        state: decision.state,
        sent: [...acc.sent, ...decision.send.map((s) => `${s.phase}:${s.step}`)],
        events: [...acc.events, ...decision.events.map((e) => e.type)],
      };
    },
    { state: startSaga().state, sent: [], events: [] },
  );

describe('order saga', () => {
  it('given a new order, when the saga starts, then it asks to reserve inventory', () => {
    expect(startSaga().send).toEqual([{ step: 'reserve-inventory', phase: 'action' }]);
  });

  it('given every step succeeds, when the saga runs, then the order completes after reserve, charge and ship', () => {
    const result = run(ok('reserve-inventory'), ok('charge-payment'), ok('create-shipment'));
    expect(result.sent).toEqual(['action:charge-payment', 'action:create-shipment']);
    expect(result.state.status).toBe('COMPLETED');
    expect(result.events.at(-1)).toBe('OrderCompleted');
  });

  it('given stock is missing, when reservation fails, then the order is cancelled with the reason and nothing is compensated', () => {
    const result = run({
      step: 'reserve-inventory',
      phase: 'action',
      outcome: 'failed',
      reason: 'insufficient stock for sku-1',
    });
    expect(result.state).toMatchObject({
      status: 'CANCELLED',
      failure: { reason: 'insufficient stock for sku-1' },
    });
    expect(result.sent).toEqual([]);
  });

  it('given payment is declined, when the saga fails, then inventory is released before the order is cancelled', () => {
    const declined = run(ok('reserve-inventory'), {
      step: 'charge-payment',
      phase: 'action',
      outcome: 'failed',
      reason: 'card declined',
    });
    expect(declined.sent).toEqual(['action:charge-payment', 'compensation:reserve-inventory']);
    expect(declined.state.status).toBe('PENDING');
    const released = advanceSaga(declined.state, ok('reserve-inventory', 'compensation'));
    expect(released.state).toMatchObject({
      status: 'CANCELLED',
      failure: { reason: 'card declined' },
    });
  });

  it('given shipment fails, when compensating, then payment is refunded then inventory released, in reverse order', () => {
    const result = run(
      ok('reserve-inventory'),
      ok('charge-payment'),
      { step: 'create-shipment', phase: 'action', outcome: 'failed', reason: 'no carrier' },
      ok('charge-payment', 'compensation'),
      ok('reserve-inventory', 'compensation'),
    );
    expect(result.sent.slice(2)).toEqual([
      'compensation:charge-payment',
      'compensation:reserve-inventory',
    ]);
    expect(result.state).toMatchObject({ status: 'FAILED', failure: { reason: 'no carrier' } });
  });

  it('given a step times out, when compensated, then the order fails with the timeout as reason', () => {
    const result = run(
      ok('reserve-inventory'),
      { step: 'charge-payment', phase: 'action', outcome: 'timed-out' },
      ok('reserve-inventory', 'compensation'),
    );
    expect(result.state).toMatchObject({
      status: 'FAILED',
      failure: { reason: 'charge-payment timed-out' },
    });
  });

  it('given a duplicate outcome, when it arrives again, then nothing changes and nothing is sent', () => {
    const once = run(ok('reserve-inventory'));
    const again = advanceSaga(once.state, ok('reserve-inventory'));
    expect(again).toEqual({ state: once.state, send: [], events: [] });
  });

  it('given an action timed out, when its success arrives late, then that success is compensated', () => {
    const timedOut = run({ step: 'reserve-inventory', phase: 'action', outcome: 'timed-out' });
    expect(timedOut.state.status).toBe('FAILED');
    expect(advanceSaga(timedOut.state, ok('reserve-inventory')).send).toEqual([
      { step: 'reserve-inventory', phase: 'compensation' },
    ]);
  });

  it('given a compensation fails, when it is answered, then it is asked again', () => {
    const declined = run(ok('reserve-inventory'), {
      step: 'charge-payment',
      phase: 'action',
      outcome: 'failed',
    });
    const retry = advanceSaga(declined.state, {
      step: 'reserve-inventory',
      phase: 'compensation',
      outcome: 'failed',
    });
    expect(retry.send).toEqual([{ step: 'reserve-inventory', phase: 'compensation' }]);
    expect(retry.state.status).toBe('PENDING');
  });
});
