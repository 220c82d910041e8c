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

/** Ships an order once, with what it holds; regions without a carrier refuse the step. */
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
      return [
        { type: 'OrderShipped', data: { orderId, region, items: heldLines(state.reservation) } },
      ];
    },
  } satisfies Decider<ShipmentState, CreateShipment, ShipmentEvent>;
}
