import { deciderSpec } from '@eventline/eventstore';
import { upsertProductDecider, type ProductUpsertedEvent, type UpsertProduct } from './decider';

const spec = deciderSpec(upsertProductDecider);
const at = '2026-01-02T03:04:05.000Z';
const image = { format: 'png' as const, width: 800, height: 600, bytes: 12_345 };
const thumbnails = {
  small: { format: 'webp' as const, width: 128, height: 96, bytes: 900 },
  large: { format: 'webp' as const, width: 512, height: 384, bytes: 8_000 },
};
const dimensions = { widthMm: 100, heightMm: 80, depthMm: 20, weightG: 350 };
const upsert = (name: string): UpsertProduct => ({
  type: 'UpsertProduct',
  data: { sku: 'lamp', name, price: 4_250, dimensions, image, thumbnails, at },
});
const upserted = (name: string, version: number): ProductUpsertedEvent => ({
  type: 'ProductUpserted',
  data: { sku: 'lamp', name, price: 4_250, dimensions, image, thumbnails, version, upsertedAt: at },
});

describe('upserting a warehouse product', () => {
  it('given no product, when it is put, then it is added at version 1', () => {
    spec
      .given([])
      .when(upsert('Desk lamp'))
      .then([upserted('Desk lamp', 1)]);
  });

  it('given a product, when it is put again, then it is replaced at the next version', () => {
    spec
      .given([upserted('Desk lamp', 1)])
      .when(upsert('Desk lamp, brass'))
      .then([upserted('Desk lamp, brass', 2)]);
  });
});
