import { deciderSpec } from '@eventline/eventstore';
import { HandlerError } from '@eventline/kit';
import { cartDecider, type CartCommand, type CartEvent } from './decider';

const spec = deciderSpec(cartDecider);
const at = '2026-01-02T03:04:05.000Z';
const add = (sku: string, quantity: number, unitPrice = 100): CartCommand => ({
  type: 'AddItem',
  data: { cartId: 'cart-1', sku, quantity, unitPrice, at },
});
const added = (sku: string, quantity: number, unitPrice = 100): CartEvent => ({
  type: 'ItemAdded',
  data: { sku, quantity, unitPrice, at },
});
const remove = (sku: string): CartCommand => ({
  type: 'RemoveItem',
  data: { cartId: 'cart-1', sku, at },
});
const checkOut: CartCommand = {
  type: 'CheckOut',
  data: { cartId: 'cart-1', orderId: 'o-1', customerId: 'c-1', region: 'eu-west', at },
};
const refused = (kind: string) => (err: unknown) =>
  err instanceof HandlerError && err.kind === kind;

describe('a shopping cart', () => {
  it('given an empty cart, when an item is added, then it is added', () => {
    spec
      .given([])
      .when(add('widget', 2))
      .then([added('widget', 2)]);
  });

  it('given the cart holds a sku, when more of it is added, then that is added at the new price', () => {
    spec
      .given([added('widget', 2)])
      .when(add('widget', 3, 90))
      .then([added('widget', 3, 90)]);
    const cart = [added('widget', 2), added('widget', 3, 90)].reduce(
      cartDecider.evolve,
      cartDecider.initialState(),
    );
    expect(cart.items).toEqual([{ sku: 'widget', quantity: 5, unitPrice: 90 }]);
    expect(cart.version).toBe(2);
  });

  it('given a sku at 9,999, when 2 more are added, then it is refused: an order takes 10,000 at most', () => {
    spec
      .given([added('widget', 9_999)])
      .when(add('widget', 2))
      .thenThrows(refused('unprocessable'));
  });

  it('given 100 skus, when another sku is added, then it is refused', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => added(`sku-${i}`, 1));
    spec.given(hundred).when(add('one-more', 1)).thenThrows(refused('unprocessable'));
  });

  it('given the cart holds a sku, when it is removed, then it is removed', () => {
    spec
      .given([added('widget', 2)])
      .when(remove('widget'))
      .then([{ type: 'ItemRemoved', data: { sku: 'widget', at } }]);
  });

  it('given a cart without the sku, when it is removed, then it is not found', () => {
    spec
      .given([added('widget', 2)])
      .when(remove('gadget'))
      .thenThrows(refused('not-found'));
  });

  it('given a cart with items, when checked out, then its items become the order', () => {
    spec
      .given([added('widget', 2, 1500), added('gadget', 1, 500)])
      .when(checkOut)
      .then([
        {
          type: 'CartCheckedOut',
          data: {
            orderId: 'o-1',
            customerId: 'c-1',
            region: 'eu-west',
            items: [
              { sku: 'widget', quantity: 2, unitPrice: 1500 },
              { sku: 'gadget', quantity: 1, unitPrice: 500 },
            ],
            total: 3500,
            at,
          },
        },
      ]);
  });

  it('given an empty cart, when checked out, then it is refused', () => {
    spec.given([]).when(checkOut).thenThrows(refused('unprocessable'));
  });
});
