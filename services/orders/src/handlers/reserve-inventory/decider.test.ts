import { deciderSpec } from '@eventline/eventstore';
import type { InventoryEvent } from '../../domain/inventory';
import { reserveInventoryDecider, type ReserveInventory } from './decider';

const spec = deciderSpec(reserveInventoryDecider);
const stock = (sku: string, available: number): InventoryEvent => ({
  type: 'StockSet',
  data: { sku, available },
});
const reserve = (orderId: string, ...items: Array<[string, number]>): ReserveInventory => ({
  type: 'ReserveInventory',
  data: { orderId, items: items.map(([sku, quantity]) => ({ sku, quantity })) },
});
const reserved = (orderId: string, ...items: Array<[string, number]>): InventoryEvent => ({
  type: 'InventoryReserved',
  data: { orderId, items: items.map(([sku, quantity]) => ({ sku, quantity })) },
});

describe('reserving inventory', () => {
  it('given stock for every item, when reserving, then every item is reserved', () => {
    spec
      .given([stock('a', 5), stock('b', 1)])
      .when(reserve('o-1', ['a', 2], ['b', 1]))
      .then([reserved('o-1', ['a', 2], ['b', 1])]);
  });

  it('given another order took most of the stock, when reserving more than is left, then it is rejected naming the sku and what is left', () => {
    spec
      .given([stock('a', 20), reserved('o-1', ['a', 18])])
      .when(reserve('o-2', ['a', 5]))
      .then([
        {
          type: 'ReservationRejected',
          data: { orderId: 'o-2', reason: 'insufficient stock for a: 2 available, 5 requested' },
        },
      ]);
  });

  it('given one item short, when reserving several, then none is reserved', () => {
    spec
      .given([stock('a', 5), stock('b', 0)])
      .when(reserve('o-1', ['a', 1], ['b', 1]))
      .then([
        {
          type: 'ReservationRejected',
          data: { orderId: 'o-1', reason: 'insufficient stock for b: 0 available, 1 requested' },
        },
      ]);
  });

  it('given a sku never stocked, when reserving it, then it is rejected as unknown', () => {
    spec
      .given([])
      .when(reserve('o-1', ['ghost', 1]))
      .then([
        { type: 'ReservationRejected', data: { orderId: 'o-1', reason: 'unknown sku ghost' } },
      ]);
  });

  it('given the order reserved already and the stock is gone, when asked again, then nothing changes', () => {
    spec
      .given([stock('a', 1), reserved('o-1', ['a', 1])])
      .when(reserve('o-1', ['a', 1]))
      .then([]);
  });

  it('given the order reserved and was released, when asked again, then it is not reserved twice', () => {
    spec
      .given([
        stock('a', 1),
        reserved('o-1', ['a', 1]),
        { type: 'InventoryReleased', data: { orderId: 'o-1', items: [{ sku: 'a', quantity: 1 }] } },
      ])
      .when(reserve('o-1', ['a', 1]))
      .then([]);
  });
});
