import type { Decider } from '@eventline/eventstore';
import { notFound, unprocessable } from '@eventline/kit';
import {
  cartTotal,
  MAX_LINES,
  MAX_QUANTITY,
  type AddItem,
  type Cart,
  type CartLine,
  type Checkout,
} from '../../domain/cart';

export type CartCommand =
  | { type: 'AddItem'; data: AddItem & { at: string } }
  | { type: 'RemoveItem'; data: { cartId: string; sku: string; at: string } }
  | { type: 'CheckOut'; data: Checkout & { cartId: string; orderId: string; at: string } };

export type CartEvent =
  | { type: 'ItemAdded'; data: CartLine & { at: string } }
  | { type: 'ItemRemoved'; data: { sku: string; at: string } }
  | {
      type: 'CartCheckedOut';
      data: Checkout & { orderId: string; items: CartLine[]; total: number; at: string };
    };

function addLine(items: CartLine[], added: CartLine): CartLine[] {
  const existing = items.find((line) => line.sku === added.sku);
  if (!existing) return [...items, added];
  // The latest price is the one the shopper saw last.
  return items.map((line) =>
    line.sku === added.sku
      ? { ...line, quantity: line.quantity + added.quantity, unitPrice: added.unitPrice }
      : line,
  );
}

/**
 * One cart's changes. Adding a sku the cart holds adds to its quantity; the cart keeps an order's
 * bounds, so its checkout is an order the orders service accepts.
 */
export const cartDecider = {
  initialState: (): Cart => ({ cartId: '', items: [], version: 0, updatedAt: '' }),
  evolve(cart: Cart, event: CartEvent): Cart {
    const version = cart.version + 1;
    switch (event.type) {
      case 'ItemAdded': {
        const { at, ...line } = event.data;
        return { ...cart, items: addLine(cart.items, line), version, updatedAt: at };
      }
      case 'ItemRemoved':
        return {
          ...cart,
          items: cart.items.filter((line) => line.sku !== event.data.sku),
          version,
          updatedAt: event.data.at,
        };
      case 'CartCheckedOut':
        return { ...cart, items: [], version, updatedAt: event.data.at };
    }
  },
  decide(command: CartCommand, cart: Cart): CartEvent[] {
    switch (command.type) {
      case 'AddItem': {
        const { sku, quantity, unitPrice, at } = command.data;
        const existing = cart.items.find((line) => line.sku === sku);
        if (!existing && cart.items.length >= MAX_LINES)
          throw unprocessable(`cart ${command.data.cartId} holds ${MAX_LINES} skus already`);
        if ((existing?.quantity ?? 0) + quantity > MAX_QUANTITY)
          throw unprocessable(`quantity of ${sku} would exceed ${MAX_QUANTITY}`);
        return [{ type: 'ItemAdded', data: { sku, quantity, unitPrice, at } }];
      }
      case 'RemoveItem': {
        const { cartId, sku, at } = command.data;
        if (!cart.items.some((line) => line.sku === sku))
          throw notFound(`cart ${cartId} holds no ${sku}`);
        return [{ type: 'ItemRemoved', data: { sku, at } }];
      }
      case 'CheckOut': {
        const { cartId, orderId, customerId, region, at } = command.data;
        if (cart.items.length === 0) throw unprocessable(`cart ${cartId} is empty`);
        const items = cart.items;
        return [
          {
            type: 'CartCheckedOut',
            data: { orderId, customerId, region, items, total: cartTotal(items), at },
          },
        ];
      }
    }
  },
} satisfies Decider<Cart, CartCommand, CartEvent>;
