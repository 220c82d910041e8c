import { deciderSpec } from '@eventline/eventstore';
import type { InventoryEvent } from '../../domain/inventory';
import { releaseInventoryDecider, type ReleaseInventory } from './decider';

const spec = deciderSpec(releaseInventoryDecider);
const release: ReleaseInventory = { type: 'ReleaseInventory', data: { orderId: 'o-1' } };
const items = [
  { sku: 'a', quantity: 2 },
  { sku: 'b', quantity: 1 },
];
const reserved: InventoryEvent = { type: 'InventoryReserved', data: { orderId: 'o-1', items } };
const released: InventoryEvent = { type: 'InventoryReleased', data: { orderId: 'o-1', items } };

describe('releasing inventory', () => {
  it('given an order holding stock, when released, then everything it holds returns', () => {
    spec.given([reserved]).when(release).then([released]);
  });

  it('given an order released already, when released again, then nothing changes', () => {
    spec.given([reserved, released]).when(release).then([]);
  });

  it('given an order that never reserved, when released, then nothing changes', () => {
    spec.given([]).when(release).then([]);
  });

  it('given another order holding stock, when this one is released, then the other keeps its stock', () => {
    spec
      .given([{ type: 'InventoryReserved', data: { orderId: 'o-2', items } }])
      .when(release)
      .then([]);
  });
});
