import type { Decider } from '@eventline/eventstore';
import type { CartCheckedOut, DataOf } from '@eventline/events';
import type { OrderPlacedEvent } from '../../domain/order';
import type { PlacingState } from '../orders-api/decider';

export type PlaceCartOrder = { type: 'PlaceCartOrder'; data: DataOf<typeof CartCheckedOut> };

/**
 * A checked-out cart becomes the order its checkout named, once: the order id is the cart's
 * checkout's, so a second delivery of the checkout finds the order placed and places nothing.
 */
export const placeCartOrderDecider = {
  initialState: (): PlacingState => ({ placed: false }),
  evolve: (): PlacingState => ({ placed: true }),
  decide({ data }: PlaceCartOrder, state: PlacingState): OrderPlacedEvent[] {
    if (state.placed) return [];
    const { orderId, customerId, region, items, total, checkedOutAt } = data;
    return [
      {
        type: 'OrderPlaced',
        data: { orderId, customerId, region, items, total, placedAt: checkedOutAt },
      },
    ];
  },
} satisfies Decider<PlacingState, PlaceCartOrder, OrderPlacedEvent>;
