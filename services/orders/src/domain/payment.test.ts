import { recordedAnswer } from './payment';

describe('the answer a recorded payment holds', () => {
  it('given an unpaid order, then there is none: the provider is asked', () => {
    expect(recordedAnswer({ status: 'unpaid' })).toBeUndefined();
  });

  it('given a decline, then the decline with its reason', () => {
    expect(recordedAnswer({ status: 'declined', reason: 'no' })).toEqual({
      status: 'declined',
      reason: 'no',
    });
  });

  it('given a charge refunded since, then still the charge', () => {
    expect(recordedAnswer({ status: 'refunded', reference: 'ref-1', amount: 1 })).toEqual({
      status: 'charged',
      reference: 'ref-1',
    });
  });
});
