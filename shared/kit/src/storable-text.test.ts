import { unstorableProblem } from './storable-text';

describe('values Postgres can store', () => {
  it('given values without U+0000 or lone surrogates, when checked, then nothing is wrong', () => {
    expect(
      unstorableProblem({ a: 'x', b: [1, 'y😀', { c: null }], d: true }, 'data'),
    ).toBeUndefined();
  });

  it('given U+0000 deep in a value, when checked, then the problem names its path', () => {
    expect(unstorableProblem({ items: [{ sku: 'a' }, { sku: 'b\u0000' }] }, 'data')).toBe(
      'data.items[1].sku holds U+0000 or an unpaired surrogate, which cannot be stored',
    );
  });

  it('given an unpaired surrogate, when checked, then the problem names its path', () => {
    expect(unstorableProblem({ note: 'a\ud800' }, 'body')).toBe(
      'body.note holds U+0000 or an unpaired surrogate, which cannot be stored',
    );
    expect(unstorableProblem({ note: '\udc00b' }, 'body')).toMatch(/^body\.note holds/);
  });

  it('given U+0000 in a property name, when checked, then the path ends with that name', () => {
    expect(unstorableProblem({ n: 1, 'a\u0000': null }, 'data')).toBe(
      'data.a\u0000 holds U+0000 or an unpaired surrogate, which cannot be stored',
    );
  });
});
