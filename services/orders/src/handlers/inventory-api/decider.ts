import type { Decider } from '@eventline/eventstore';
import {
  evolveInventory,
  initialInventory,
  type InventoryEvent,
  type InventoryState,
} from '../../domain/inventory';

export type SetStock = { type: 'SetStock'; data: { sku: string; available: number } };

type StockSet = Extract<InventoryEvent, { type: 'StockSet' }>;

/**
 * Sets what a sku has available; what is reserved for orders or shipped stays as it is (see
 * evolveInventory), so setting stock during a sale never takes back a reservation.
 */
export const setStockDecider = {
  initialState: initialInventory,
  evolve: evolveInventory,
  decide({ data }: SetStock): [StockSet] {
    return [{ type: 'StockSet', data }];
  },
} satisfies Decider<InventoryState, SetStock, InventoryEvent>;
