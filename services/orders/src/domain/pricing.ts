import { z } from 'zod';
import type { LineItem } from './order';

const ID = /^[A-Za-z0-9._-]{1,64}$/;
const SKU = /^[A-Za-z0-9._-]{1,64}$/;
const cents = z.number().int().min(0).max(1_000_000_000_000_000);

/** The promotions a till applies, as POS_PROMOTIONS lists them. */
export const promotionSchema = z.discriminatedUnion('kind', [
  /** `percent` off every unit of a sku */
  z.object({
    id: z.string().regex(ID),
    kind: z.literal('percent-off'),
    sku: z.string().regex(SKU),
    percent: z.number().int().min(1).max(100),
  }),
  /** of every `buy` + `free` units of a sku, `free` cost nothing */
  z.object({
    id: z.string().regex(ID),
    kind: z.literal('buy-x-get-y'),
    sku: z.string().regex(SKU),
    buy: z.number().int().min(1).max(10_000),
    free: z.number().int().min(1).max(10_000),
  }),
  /** `off` cents off a basket whose price after the sku promotions reaches `threshold` */
  z.object({
    id: z.string().regex(ID),
    kind: z.literal('basket-threshold'),
    threshold: cents,
    off: cents,
  }),
]);

export type Promotion = z.infer<typeof promotionSchema>;

export interface AppliedPromotion {
  id: string;
  discount: number;
}

export interface PricedBasket {
  subtotal: number;
  discount: number;
  total: number;
  promotions: AppliedPromotion[];
}

function lineDiscount(line: LineItem, promotion: Promotion): number {
  switch (promotion.kind) {
    case 'percent-off':
      // Rounded down: a fraction of a cent stays with the shop.
      return Math.floor((line.quantity * line.unitPrice * promotion.percent) / 100);
    case 'buy-x-get-y': {
      const groups = Math.floor(line.quantity / (promotion.buy + promotion.free));
      return groups * promotion.free * line.unitPrice;
    }
    case 'basket-threshold':
      return 0;
  }
}

/**
 * Prices a basket. Each line gets the one sku promotion that takes most off it (they do not
 * stack); then the basket gets the one threshold promotion of the highest threshold it reaches,
 * never taking more than is left to pay.
 */
export function priceBasket(items: LineItem[], promotions: Promotion[]): PricedBasket {
  const subtotal = items.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  const applied: AppliedPromotion[] = [];
  for (const line of items) {
    let best: AppliedPromotion | undefined;
    for (const promotion of promotions) {
      if (promotion.kind === 'basket-threshold' || promotion.sku !== line.sku) continue;
      const discount = lineDiscount(line, promotion);
      if (discount > 0 && discount > (best?.discount ?? 0)) best = { id: promotion.id, discount };
    }
    if (best) applied.push(best);
  }
  const afterLines = subtotal - applied.reduce((sum, p) => sum + p.discount, 0);
  const threshold = promotions
    .filter((p) => p.kind === 'basket-threshold')
    .filter((p) => afterLines >= p.threshold && p.off > 0)
    .sort((a, b) => b.threshold - a.threshold)[0];
  if (threshold) applied.push({ id: threshold.id, discount: Math.min(threshold.off, afterLines) });
  const discount = applied.reduce((sum, p) => sum + p.discount, 0);
  return { subtotal, discount, total: subtotal - discount, promotions: applied };
}

/** Loyalty: a point for every whole 1.00 paid. */
export const loyaltyPoints = (total: number) => Math.floor(total / 100);
