import { RETRY_AFTER_CAP_MS, retryAfterMs } from './retry-policy';

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
