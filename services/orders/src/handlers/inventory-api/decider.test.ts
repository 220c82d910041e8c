import { deciderSpec } from '@eventline/eventstore';
import type { InventoryEvent } from '../../domain/inventory';
import { setStockDecider } from './decider';

const spec = deciderSpec(setStockDecider);
const stockSet = (available: number): InventoryEvent => ({
  type: 'StockSet',
  data: { sku: 'a', available },
});

describe('setting stock', () => {
  it('given a sku never stocked, when its stock is set, then it has that much available', () => {
    spec
      .given([])
      .when({ type: 'SetStock', data: { sku: 'a', available: 10 } })
      .then([stockSet(10)]);
  });
});
