import { loyaltyPoints, priceBasket, type Promotion } from './pricing';

const tenOffWidgets: Promotion = {
  id: 'widgets-10',
  kind: 'percent-off',
  sku: 'widget',
  percent: 10,
};
const threeForTwo: Promotion = {
  id: '3-for-2',
  kind: 'buy-x-get-y',
  sku: 'widget',
  buy: 2,
  free: 1,
};
const fiveOffFifty: Promotion = {
  id: 'basket-50',
  kind: 'basket-threshold',
  threshold: 50_00,
  off: 5_00,
};
const tenOffHundred: Promotion = {
  id: 'basket-100',
  kind: 'basket-threshold',
  threshold: 100_00,
  off: 10_00,
};

describe('pricing a basket', () => {
  it('given no promotions, then the total is the subtotal', () => {
    expect(priceBasket([{ sku: 'widget', quantity: 2, unitPrice: 1000 }], [])).toEqual({
      subtotal: 2000,
      discount: 0,
      total: 2000,
      promotions: [],
    });
  });

  it('given a percentage off a sku, then its lines are discounted, rounded down to the cent', () => {
    expect(
      priceBasket(
        [
          { sku: 'widget', quantity: 3, unitPrice: 333 },
          { sku: 'gadget', quantity: 1, unitPrice: 500 },
        ],
        [tenOffWidgets],
      ),
    ).toEqual({
      subtotal: 1499,
      discount: 99,
      total: 1400,
      promotions: [{ id: 'widgets-10', discount: 99 }],
    });
  });

  it('given buy 2 get 1, when 7 are bought, then 2 are free', () => {
    expect(
      priceBasket([{ sku: 'widget', quantity: 7, unitPrice: 100 }], [threeForTwo]),
    ).toMatchObject({
      discount: 200,
      total: 500,
    });
  });

  it('given buy 2 get 1, when 2 are bought, then none is free', () => {
    expect(
      priceBasket([{ sku: 'widget', quantity: 2, unitPrice: 100 }], [threeForTwo]).discount,
    ).toBe(0);
  });

  it('given two promotions on a sku, then only the one taking more off applies', () => {
    const priced = priceBasket(
      [{ sku: 'widget', quantity: 3, unitPrice: 100 }],
      [tenOffWidgets, threeForTwo],
    );
    expect(priced.promotions).toEqual([{ id: '3-for-2', discount: 100 }]);
  });

  it('given basket thresholds, then the highest one reached applies, after the sku promotions', () => {
    // 12 widgets at 10.00: 120.00, 3-for-2 takes 40.00 off, so 80.00 reaches 50.00, not 100.00.
    const priced = priceBasket(
      [{ sku: 'widget', quantity: 12, unitPrice: 1000 }],
      [threeForTwo, fiveOffFifty, tenOffHundred],
    );
    expect(priced).toEqual({
      subtotal: 12_000,
      discount: 4_500,
      total: 7_500,
      promotions: [
        { id: '3-for-2', discount: 4_000 },
        { id: 'basket-50', discount: 500 },
      ],
    });
  });

  it('given a basket below every threshold, then no basket promotion applies', () => {
    expect(
      priceBasket([{ sku: 'gadget', quantity: 1, unitPrice: 4999 }], [fiveOffFifty]).discount,
    ).toBe(0);
  });

  it('given a threshold promotion worth more than the basket, then the basket costs nothing, not less', () => {
    const generous: Promotion = {
      id: 'free',
      kind: 'basket-threshold',
      threshold: 0,
      off: 1_000_00,
    };
    expect(priceBasket([{ sku: 'gadget', quantity: 1, unitPrice: 300 }], [generous]).total).toBe(0);
  });

  it('given a total, then a point is earned per whole 1.00', () => {
    expect([
      loyaltyPoints(0),
      loyaltyPoints(99),
      loyaltyPoints(100),
      loyaltyPoints(12_345),
    ]).toEqual([0, 0, 1, 123]);
  });
});
