import type { Decider } from '@eventline/eventstore';
import {
  evolveInventory,
  initialInventory,
  reservationShortfall,
  type InventoryEvent,
  type InventoryState,
  type OrderLine,
} from '../../domain/inventory';

export type ReserveInventory = {
  type: 'ReserveInventory';
  data: { orderId: string; items: OrderLine[] };
};

/** Reserves every item of an order or none, once per order. */
export const reserveInventoryDecider = {
  initialState: initialInventory,
  evolve: evolveInventory,
  decide({ data: { orderId, items } }: ReserveInventory, state: InventoryState): InventoryEvent[] {
    // A request under another id for an order that reserved already: whatever became of its
    // reservation since (released, shipped), the step has succeeded.
    if (state.reservations[orderId]?.length) return [];
    const reason = reservationShortfall(state.stock, items);
    if (reason) return [{ type: 'ReservationRejected', data: { orderId, reason } }];
    const lines = items.map(({ sku, quantity }) => ({ sku, quantity }));
    return [{ type: 'InventoryReserved', data: { orderId, items: lines } }];
  },
} satisfies Decider<InventoryState, ReserveInventory, InventoryEvent>;
