import { nulProblem } from './storable-text';

describe('values Postgres can store', () => {
  it('given values without U+0000, when checked, then nothing is wrong', () => {
    expect(nulProblem({ a: 'x', b: [1, 'y', { c: null }], d: true }, 'data')).toBeUndefined();
  });

  it('given U+0000 deep in a value, when checked, then the problem names its path', () => {
    expect(nulProblem({ items: [{ sku: 'a' }, { sku: 'b\u0000' }] }, 'data')).toBe(
      'data.items[1].sku holds U+0000, which cannot be stored',
    );
    expect(nulProblem({ customerId: '\u0000' }, 'body')).toBe(
      'body.customerId holds U+0000, which cannot be stored',
    );
  });

  it('given U+0000 in a property name, when checked, then the problem names the object', () => {
    expect(nulProblem({ n: 1, 'a\u0000': null }, 'data')).toBe(
      'data has a property name holding U+0000, which cannot be stored: a\u0000',
    );
  });
});
