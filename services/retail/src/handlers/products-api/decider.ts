import type { Decider } from '@eventline/eventstore';
import type { DataOf, ProductUpserted } from '@eventline/events';
import type { Dimensions, ImageFacts } from '../../domain/product';

export type UpsertProduct = {
  type: 'UpsertProduct';
  data: {
    sku: string;
    name: string;
    price: number;
    dimensions: Dimensions;
    image: ImageFacts;
    thumbnails: { small: ImageFacts; large: ImageFacts };
    at: string;
  };
};

export type ProductUpsertedEvent = {
  type: 'ProductUpserted';
  data: DataOf<typeof ProductUpserted>;
};

/** What the catalog holds of a sku: how many times it was written. */
export type ProductState = { version: number };

/** A product is replaced whole by each upsert; its version counts the upserts. */
export const upsertProductDecider = {
  initialState: (): ProductState => ({ version: 0 }),
  evolve: (_state: ProductState, { data }: ProductUpsertedEvent): ProductState => ({
    version: data.version,
  }),
  decide({ data }: UpsertProduct, state: ProductState): [ProductUpsertedEvent] {
    const { at, ...product } = data;
    return [
      { type: 'ProductUpserted', data: { ...product, version: state.version + 1, upsertedAt: at } },
    ];
  },
} satisfies Decider<ProductState, UpsertProduct, ProductUpsertedEvent>;
