import { orderFingerprint, orderTotal, parsePlaceOrder, type PlaceOrder } from './order';

describe('placing an order', () => {
  const valid = {
    customerId: 'c-1',
    region: 'eu-west',
    items: [{ sku: 'sku-1', quantity: 2, unitPrice: 1250 }],
  };

  it('given a valid body, when parsed, then it is a PlaceOrder command with its total', () => {
    const parsed = parsePlaceOrder(valid);
    expect(parsed).toEqual(valid);
    expect(orderTotal(valid.items)).toBe(2500);
  });

  it('given two bodies for one order, when fingerprinted, then they agree whatever their field order; another quantity does not', () => {
    const reordered = {
      items: [{ unitPrice: 1250, quantity: 2, sku: 'sku-1' }],
      region: 'eu-west',
      customerId: 'c-1',
    };
    const more = { ...valid, items: [{ sku: 'sku-1', quantity: 3, unitPrice: 1250 }] };
    const fingerprint = (body: unknown) => orderFingerprint(parsePlaceOrder(body) as PlaceOrder);

    expect(fingerprint(reordered)).toEqual(fingerprint(valid));
    expect(fingerprint(more)).not.toEqual(fingerprint(valid));
  });

  it.each([
    [{ ...valid, customerId: '' }, 'customerId'],
    [{ ...valid, region: 'EU West' }, 'region'],
    [{ ...valid, items: [] }, 'items must be a list'],
    [{ ...valid, items: [{ sku: 'a', quantity: 0, unitPrice: 1 }] }, 'items[0].quantity'],
    [{ ...valid, items: [{ sku: 'a', quantity: 1, unitPrice: 1.5 }] }, 'items[0].unitPrice'],
    [{ ...valid, items: [{ sku: 'a', quantity: 1, unitPrice: 1e20 }] }, 'items[0].unitPrice'],
    [
      { ...valid, items: [{ sku: 'a', quantity: 1, unitPrice: 1_000_000_001 }] },
      'items[0].unitPrice must be an integer from 0 to 1000000000',
    ],
    [{ ...valid, items: [{ sku: 'a b', quantity: 1, unitPrice: 1 }] }, 'items[0].sku'],
    [{ ...valid, items: [valid.items[0], valid.items[0]] }, 'must not repeat a sku'],
  ])('given %p, when parsed, then it is refused naming %p', (body, reason) => {
    expect((parsePlaceOrder(body) as { error: string }).error).toContain(reason);
  });
});
