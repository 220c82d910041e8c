import { renderTimeline, sagaTimeline } from './timeline';

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();

describe('a saga as a timeline', () => {
  it('given a compensated order, then each step runs from the entry before it to its outcome, with the reason', () => {
    const timeline = sagaTimeline([
      {
        at: at(40),
        event: 'StepFailed',
        detail: { step: 'charge-payment', phase: 'action', reason: 'declined' },
      },
      { at: at(0), event: 'OrderPlaced', detail: { orderId: 'o-1' } },
      {
        at: at(10),
        event: 'StepSucceeded',
        detail: { step: 'reserve-inventory', phase: 'action' },
      },
      {
        at: at(55),
        event: 'StepSucceeded',
        detail: { step: 'reserve-inventory', phase: 'compensation' },
      },
      { at: at(55), event: 'OrderCancelled', detail: { reason: 'payment declined' } },
    ]);
    expect(timeline.startedAt).toBe(at(0));
    expect(timeline.totalMs).toBe(55);
    expect(timeline.steps).toEqual([
      { label: 'OrderPlaced', event: 'OrderPlaced', outcome: 'started', startMs: 0, endMs: 0 },
      {
        label: 'reserve-inventory',
        event: 'StepSucceeded',
        outcome: 'succeeded',
        startMs: 0,
        endMs: 10,
      },
      {
        label: 'charge-payment',
        event: 'StepFailed',
        outcome: 'failed',
        startMs: 10,
        endMs: 40,
        reason: 'declined',
      },
      {
        label: 'reserve-inventory (compensation)',
        event: 'StepSucceeded',
        outcome: 'succeeded',
        startMs: 40,
        endMs: 55,
      },
      {
        label: 'OrderCancelled',
        event: 'OrderCancelled',
        outcome: 'ended',
        startMs: 55,
        endMs: 55,
        reason: 'payment declined',
      },
    ]);
  });

  it('given no history, then an empty timeline', () => {
    expect(sagaTimeline([])).toEqual({ startedAt: null, totalMs: 0, steps: [] });
  });

  it('given a timeline, when rendered, then each bar starts where the one before it ended', () => {
    const lines = renderTimeline(
      sagaTimeline([
        { at: at(0), event: 'OrderPlaced' },
        { at: at(50), event: 'StepSucceeded', detail: { step: 'a', phase: 'action' } },
        { at: at(100), event: 'OrderCompleted' },
      ]),
      10,
    );
    expect(lines).toEqual([
      '     +0 ms  OrderPlaced     █           started',
      '    +50 ms  a               █████       succeeded',
      '   +100 ms  OrderCompleted       █████  completed',
    ]);
  });
});
