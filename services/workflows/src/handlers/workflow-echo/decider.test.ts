import { echo } from './decider';

describe('the echo step', () => {
  it('answers its data as output', () => {
    expect(echo('ex.1', { a: 1 })).toEqual({ taskId: 'ex.1', ok: true, output: { a: 1 } });
  });

  it('fails with the error its data names', () => {
    expect(echo('ex.1', { fail: 'Declined', cause: 'card' })).toEqual({
      taskId: 'ex.1',
      ok: false,
      error: 'Declined',
      cause: 'card',
    });
  });
});
