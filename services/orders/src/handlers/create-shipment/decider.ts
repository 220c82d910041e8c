import type { Decider } from '@eventline/eventstore';
import {
  heldLines,
  type InventoryEvent,
  type OrderLine,
  type ReservationLine,
} from '../../domain/inventory';

export interface ShipmentState {
  /** the order's reservation: its held lines leave the warehouse with the shipment */
  reservation: ReservationLine[];
  shipped: boolean;
}

export type CreateShipment = { type: 'CreateShipment'; data: { orderId: string; region: string } };

export type ShipmentEvent =
  | Extract<InventoryEvent, { type: 'InventoryReserved' }>
  | { type: 'OrderShipped'; data: { orderId: string; region: string; items: OrderLine[] } }
  | { type: 'ShipmentRefused'; data: { orderId: string; reason: string } };

/**
 * Ships an order once, with what it holds; regions without a carrier, and orders holding no
 * stock, refuse the step.
 */
export function createShipmentDecider(unservedRegions: string[]) {
  return {
    initialState: (): ShipmentState => ({ reservation: [], shipped: false }),
    evolve(state: ShipmentState, event: ShipmentEvent): ShipmentState {
      switch (event.type) {
        case 'InventoryReserved':
          return {
            ...state,
            reservation: event.data.items.map((item) => ({ ...item, status: 'held' })),
          };
        case 'OrderShipped':
          return {
            shipped: true,
            reservation: state.reservation.map((line) =>
              line.status === 'held' ? { ...line, status: 'shipped' } : line,
            ),
          };
        case 'ShipmentRefused':
          return state;
      }
    },
    decide({ data: { orderId, region } }: CreateShipment, state: ShipmentState): ShipmentEvent[] {
      if (unservedRegions.includes(region))
        return [
          {
            type: 'ShipmentRefused',
            data: { orderId, reason: `no carrier serves region ${region}` },
          },
        ];
      if (state.shipped) return [];
      const items = heldLines(state.reservation);
      // Nothing held (never reserved, or released when the saga gave up): a shipment of nothing
      // must not answer the saga as if the order had shipped.
      if (items.length === 0)
        return [
          { type: 'ShipmentRefused', data: { orderId, reason: `order ${orderId} holds no stock` } },
        ];
      return [{ type: 'OrderShipped', data: { orderId, region, items } }];
    },
  } satisfies Decider<ShipmentState, CreateShipment, ShipmentEvent>;
}
