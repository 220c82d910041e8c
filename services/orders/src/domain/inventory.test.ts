import { evolveInventory, initialInventory, parseSetStock, type InventoryEvent } from './inventory';

describe('setting stock', () => {
  it('given a sku and a whole number, when parsed, then it is the stock to set', () => {
    expect(parseSetStock('widget-1', { available: 10 })).toEqual({
      sku: 'widget-1',
      available: 10,
    });
  });

  it.each([
    ['a b', { available: 1 }, 'sku must be'],
    ['widget', [], 'body must be a JSON object'],
    ['widget', { available: -1 }, 'available must be a whole number from 0'],
    ['widget', { available: 1.5 }, 'available must be a whole number from 0'],
    ['widget', { available: 2 ** 31 }, 'available must be a whole number from 0 to 2147483647'],
    ['widget', { available: 1, reserved: 0 }, 'unexpected field "reserved"'],
  ])('given sku %p and body %p, when parsed, then it is refused naming %p', (sku, body, reason) => {
    expect((parseSetStock(sku, body) as { error: string }).error).toContain(reason);
  });
});

describe('inventory as decisions see it', () => {
  it('given stock with a reservation, when the stock is set, then what is reserved stays reserved', () => {
    const events: InventoryEvent[] = [
      { type: 'StockSet', data: { sku: 'a', available: 10 } },
      { type: 'InventoryReserved', data: { orderId: 'o-1', items: [{ sku: 'a', quantity: 4 }] } },
      { type: 'StockSet', data: { sku: 'a', available: 2 } },
    ];
    expect(events.reduce(evolveInventory, initialInventory())).toEqual({
      stock: { a: { sku: 'a', available: 2, reserved: 4, shipped: 0 } },
      reservations: { 'o-1': [{ sku: 'a', quantity: 4, status: 'held' }] },
    });
  });

  it('given a reservation, when released, then its stock is available again and its lines released', () => {
    const items = [{ sku: 'a', quantity: 4 }];
    const events: InventoryEvent[] = [
      { type: 'StockSet', data: { sku: 'a', available: 10 } },
      { type: 'InventoryReserved', data: { orderId: 'o-1', items } },
      { type: 'InventoryReleased', data: { orderId: 'o-1', items } },
    ];
    expect(events.reduce(evolveInventory, initialInventory())).toEqual({
      stock: { a: { sku: 'a', available: 10, reserved: 0, shipped: 0 } },
      reservations: { 'o-1': [{ sku: 'a', quantity: 4, status: 'released' }] },
    });
  });
});
