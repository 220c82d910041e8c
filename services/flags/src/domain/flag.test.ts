import { evolveFlag, flagChanged, parseSetFlag } from './flag';

describe('feature flag decisions', () => {
  const at = new Date('2026-01-02T03:04:05.000Z');

  it('given a valid request, when parsed, then it is a SetFlag command', () => {
    expect(parseSetFlag('checkout.v2', { enabled: true })).toEqual({
      key: 'checkout.v2',
      enabled: true,
    });
  });

  it.each([
    ['bad key!', { enabled: true }, 'flag key'],
    ['k', { enabled: 'yes' }, 'enabled must be a boolean'],
    ['k', [], 'body must be a JSON object'],
    ['k', { enabled: true, owner: 'me' }, 'unexpected field "owner"'],
  ])('given key %p and body %p, when parsed, then it is refused with %p', (key, body, reason) => {
    const parsed = parseSetFlag(key, body);
    expect(parsed).toHaveProperty('error');
    expect((parsed as { error: string }).error).toContain(reason);
  });

  it('given no view, when a change arrives, then the view shows it', () => {
    const change = flagChanged({ key: 'k', enabled: true }, 3, at);
    expect(evolveFlag(undefined, change)).toEqual({
      key: 'k',
      enabled: true,
      version: 3,
      updatedAt: at.toISOString(),
    });
  });

  it('given a newer view, when an older change arrives late, then the view is unchanged', () => {
    const newer = evolveFlag(undefined, flagChanged({ key: 'k', enabled: false }, 5, at));
    expect(evolveFlag(newer, flagChanged({ key: 'k', enabled: true }, 4, at))).toBe(newer);
  });

  it('given a view, when the same change is redelivered, then the view is unchanged', () => {
    const change = flagChanged({ key: 'k', enabled: true }, 2, at);
    const view = evolveFlag(undefined, change);
    expect(evolveFlag(view, change)).toBe(view);
  });
});
