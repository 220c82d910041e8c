import { CircuitBreaker, CircuitOpenError } from './circuit-breaker';

describe('the circuit breaker', () => {
  let now = 0;
  const breaker = () =>
    new CircuitBreaker('payments', { failures: 3, windowMs: 1000, openMs: 5000, now: () => now });
  const fail = () => Promise.reject(new Error('provider down'));
  const ok = () => Promise.resolve('charged');

  beforeEach(() => {
    now = 0;
  });

  it('opens after N failures within the window and then fails fast without calling', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) await expect(b.call(fail)).rejects.toThrow('provider down');
    expect(b.state).toBe('open');
    const work = jest.fn(ok);
    await expect(b.call(work)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(work).not.toHaveBeenCalled();
  });

  it('does not open for failures spread wider than the window', async () => {
    const b = breaker();
    for (let i = 0; i < 5; i++) {
      await expect(b.call(fail)).rejects.toThrow();
      now += 600;
    }
    expect(b.state).toBe('closed');
  });

  it('lets one probe through when half-open: a success closes it, a failure opens it again', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) await expect(b.call(fail)).rejects.toThrow();
    now += 5000;
    expect(b.state).toBe('half-open');
    await expect(b.call(fail)).rejects.toThrow('provider down');
    expect(b.state).toBe('open');
    now += 5000;
    let release: (v: string) => void = () => undefined;
    const probe = b.call(() => new Promise<string>((resolve) => (release = resolve)));
    await expect(b.call(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    release('charged');
    await expect(probe).resolves.toBe('charged');
    expect(b.state).toBe('closed');
    await expect(b.call(ok)).resolves.toBe('charged');
  });

  it('says how long it stays open', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) await expect(b.call(fail)).rejects.toThrow();
    now += 2000;
    const refused = await b.call(ok).catch((err: unknown) => err);
    expect(refused).toMatchObject({ downstream: 'payments', retryAfterMs: 3000 });
  });
});
