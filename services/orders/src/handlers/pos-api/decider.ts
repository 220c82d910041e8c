import type { Decider } from '@eventline/eventstore';
import { badInput, unprocessable } from '@eventline/kit';
import {
  evolveInventory,
  reservationShortfall,
  type InventoryEvent,
  type InventoryState,
} from '../../domain/inventory';
import type { PosPurchase } from '../../domain/pos';
import {
  loyaltyPoints,
  priceBasket,
  type Promotion,
  type PricedBasket,
} from '../../domain/pricing';

export type RecordPurchase = {
  type: 'RecordPurchase';
  data: PosPurchase & { purchaseId: string; purchasedAt: string; promotions: Promotion[] };
};

export type PurchaseCompleted = {
  type: 'PurchaseCompleted';
  data: PosPurchase &
    PricedBasket & { purchaseId: string; purchasedAt: string; pointsEarned: number };
};

export type PosEvent = InventoryEvent | PurchaseCompleted;

/**
 * A till's purchase: every item from the stock online orders reserve too, all or none, priced
 * with the promotions in force. Sold stock leaves at once: it counts as shipped.
 */
export const posPurchaseDecider = {
  initialState: (): InventoryState => ({ stock: {}, reservations: {} }),
  evolve(state: InventoryState, event: PosEvent): InventoryState {
    if (event.type !== 'PurchaseCompleted') return evolveInventory(state, event);
    const stock = { ...state.stock };
    for (const { sku, quantity } of event.data.items) {
      const level = stock[sku];
      if (level)
        stock[sku] = {
          ...level,
          available: level.available - quantity,
          shipped: level.shipped + quantity,
        };
    }
    return { ...state, stock };
  },
  decide({ data }: RecordPurchase, state: InventoryState): PurchaseCompleted[] {
    // A till scanning a sku the region does not stock is a wrong request, not a stock-out.
    const unknown = data.items.findIndex((item) => !state.stock[item.sku]);
    if (unknown >= 0)
      throw badInput(
        `items[${unknown}].sku: no sku ${data.items[unknown]?.sku} in this region's inventory`,
      );
    const shortfall = reservationShortfall(state.stock, data.items);
    if (shortfall) throw unprocessable(shortfall);
    const { promotions, ...purchase } = data;
    const priced = priceBasket(data.items, promotions);
    return [
      {
        type: 'PurchaseCompleted',
        data: {
          ...purchase,
          ...priced,
          pointsEarned: data.customerId ? loyaltyPoints(priced.total) : 0,
        },
      },
    ];
  },
} satisfies Decider<InventoryState, RecordPurchase, PosEvent>;
