import type { Decider } from '@eventline/eventstore';
import { conflict } from '@eventline/kit';
import { orderTotal, type OrderPlacedEvent, type PlaceOrder } from '../../domain/order';

export interface PlacingState {
  placed: boolean;
}

export type PlaceOrderCommand = {
  type: 'PlaceOrder';
  data: PlaceOrder & { orderId: string; placedAt: string };
};

/** Places an order once, with its total. */
export const placeOrderDecider = {
  initialState: (): PlacingState => ({ placed: false }),
  evolve: (): PlacingState => ({ placed: true }),
  decide({ data }: PlaceOrderCommand, state: PlacingState): [OrderPlacedEvent] {
    const { orderId, customerId, region, items, placedAt } = data;
    if (state.placed) throw conflict(`order ${orderId} was placed already`);
    const total = orderTotal(items);
    return [{ type: 'OrderPlaced', data: { orderId, customerId, region, items, total, placedAt } }];
  },
} satisfies Decider<PlacingState, PlaceOrderCommand, OrderPlacedEvent>;
