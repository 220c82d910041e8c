import { deliveryTargetOf } from './broker';
import { DEFAULT_TIMEOUT_MS, RETRY_AFTER_CAP_MS, durationMs, retryAfterMs } from './retry-policy';

describe('ISO-8601 durations, read as Knative reads them (rickb777/date v1.13.0 period.Parse)', () => {
  it.each([
    ['PT1S', 1_000],
    ['PT0.5S', 500],
    ['PT0,5S', 500],
    ['PT.5S', 500],
    // one decimal place per component, the rest cut off
    ['PT0.25S', 200],
    ['PT0.05S', 0],
    ['PT1M30S', 90_000],
    ['PT1H', 3_600_000],
    ['P1D', 86_400_000],
    ['P1DT', 86_400_000],
    ['P1W', 604_800_000],
    ['P1M', 2_629_746_000],
    ['P1Y', 31_556_952_000],
    ['+PT2S', 2_000],
    ['P0', 0],
  ])('given %s, then it is %d ms', (iso, ms) => {
    expect(durationMs(iso, 'delivery.backoffDelay')).toBe(ms);
  });

  it.each(['', 'P', 'PT', '1S', 'pt1s', 'PTS', 'PT1M1H', 'P1D1Y', 'PT1S2', '-PT1S', 'PT1.2.3S'])(
    'given %j, then it is refused naming the field',
    (iso) => {
      expect(() => durationMs(iso, 'trigger t delivery.timeout')).toThrow(
        `trigger t delivery.timeout: "${iso}" is not an ISO-8601 duration`,
      );
    },
  );
});

describe('a trigger delivery target', () => {
  const spec = (timeout?: string) => ({
    name: 't',
    subscriber: 'http://127.0.0.1:1/',
    filter: {},
    ordered: false,
    delivery: { retry: 0, backoffPolicy: 'linear' as const, backoffDelay: 'PT0.2S', timeout },
  });

  it('given no timeout, then each attempt has the Knative Kafka dispatcher default of 10 minutes', () => {
    expect(deliveryTargetOf(spec()).timeoutMs).toBe(DEFAULT_TIMEOUT_MS);
    expect(DEFAULT_TIMEOUT_MS).toBe(600_000);
  });

  it('given a timeout, then it is the attempt timeout; a zero one is refused naming the field', () => {
    expect(deliveryTargetOf(spec('PT2S')).timeoutMs).toBe(2_000);
    expect(() => deliveryTargetOf(spec('PT0.01S'))).toThrow('trigger t delivery.timeout');
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-12-02T10:00:00Z');

  it.each([
    [503, '2', 2_000],
    [429, ' 0 ', 0],
    [503, 'Wed, 02 Dec 2026 10:00:05 GMT', 5_000],
    [503, 'Wed, 02 Dec 2026 09:59:00 GMT', 0],
    [429, '3600', RETRY_AFTER_CAP_MS],
  ])('given %d with Retry-After "%s", then the wait is %d ms', (status, header, wait) => {
    expect(retryAfterMs(status, header, now)).toBe(wait);
  });

  it.each([
    [500, '2'],
    [503, undefined],
    [503, 'soon'],
    [503, '-1'],
  ])('given %d with Retry-After %j, then it asks for no wait', (status, header) => {
    expect(retryAfterMs(status, header, now)).toBeUndefined();
  });
});
