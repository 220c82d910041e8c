import { admission } from './admission';

const limits = { maxStepWaitMs: 2000, minOpen: 20 };

describe('admitting new orders', () => {
  it('given no measurement yet, when an order arrives, then it is admitted', () => {
    expect(admission(undefined, limits)).toEqual({ admit: true });
  });

  it('given steps answered within the limit, when an order arrives, then it is admitted', () => {
    expect(admission({ open: 500, p90WaitMs: 2000 }, limits)).toEqual({ admit: true });
  });

  it('given a few sagas waiting long, when an order arrives, then it is admitted: no backlog', () => {
    expect(admission({ open: 19, p90WaitMs: 60_000 }, limits)).toEqual({ admit: true });
  });

  it('given steps waiting past the limit, when an order arrives, then it is refused until about one wait has passed', () => {
    const refused = admission({ open: 800, p90WaitMs: 4200 }, limits);
    expect(refused).toEqual({
      admit: false,
      retryAfterSeconds: 5,
      reason: expect.stringContaining('800 orders in flight'),
    });
    expect(refused.admit === false && refused.reason).toContain('limit 2.0 s');
  });

  it('given a wait of minutes, when an order is refused, then Retry-After stays at most 60 s', () => {
    expect(admission({ open: 5000, p90WaitMs: 600_000 }, limits)).toMatchObject({
      retryAfterSeconds: 60,
    });
  });

  it('given admission control turned off, when steps wait long, then every order is admitted', () => {
    expect(admission({ open: 5000, p90WaitMs: 600_000 }, { ...limits, maxStepWaitMs: 0 })).toEqual({
      admit: true,
    });
  });
});
