import { flagChanged, parseSetFlag } from './flag';

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

  it('given an accepted command, when recorded, then the change carries its version and time', () => {
    expect(flagChanged({ key: 'k', enabled: true }, 3, at)).toEqual({
      key: 'k',
      enabled: true,
      version: 3,
      changedAt: at.toISOString(),
    });
  });
});
