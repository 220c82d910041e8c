import type { Decider } from '@eventline/eventstore';
import {
  evolveInventory,
  heldLines,
  initialInventory,
  type InventoryEvent,
  type InventoryState,
} from '../../domain/inventory';

export type ReleaseInventory = { type: 'ReleaseInventory'; data: { orderId: string } };

/** Compensation: returns what an order still holds. Releasing twice releases once. */
export const releaseInventoryDecider = {
  initialState: initialInventory,
  evolve: evolveInventory,
  decide({ data: { orderId } }: ReleaseInventory, state: InventoryState): InventoryEvent[] {
    const items = heldLines(state.reservations[orderId]);
    return items.length > 0 ? [{ type: 'InventoryReleased', data: { orderId, items } }] : [];
  },
} satisfies Decider<InventoryState, ReleaseInventory, InventoryEvent>;
