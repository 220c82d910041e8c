import { deciderSpec } from '@eventline/eventstore';
import { HandlerError } from '@eventline/kit';
import type { PosEvent, RecordPurchase } from './decider';
import { posPurchaseDecider } from './decider';

const spec = deciderSpec(posPurchaseDecider);
const at = '2026-01-02T03:04:05.000Z';
const stock = (sku: string, available: number): PosEvent => ({
  type: 'StockSet',
  data: { sku, available },
});
const purchase = (
  items: RecordPurchase['data']['items'],
  extra: Partial<RecordPurchase['data']> = {},
): RecordPurchase => ({
  type: 'RecordPurchase',
  data: {
    purchaseId: 'p-1',
    storeId: 'store-1',
    customerId: 'c-1',
    items,
    payment: { method: 'card' },
    purchasedAt: at,
    promotions: [],
    ...extra,
  },
});
const refused = (reason: RegExp) => (err: unknown) =>
  err instanceof HandlerError && err.kind === 'unprocessable' && reason.test(err.message);

describe('a point-of-sale purchase', () => {
  it('given stock, when a basket is bought, then it is priced with the promotions and earns points', () => {
    spec
      .given([stock('widget', 5), stock('gadget', 1)])
      .when(
        purchase(
          [
            { sku: 'widget', quantity: 3, unitPrice: 1000 },
            { sku: 'gadget', quantity: 1, unitPrice: 550 },
          ],
          { promotions: [{ id: 'w-3for2', kind: 'buy-x-get-y', sku: 'widget', buy: 2, free: 1 }] },
        ),
      )
      .then([
        {
          type: 'PurchaseCompleted',
          data: {
            purchaseId: 'p-1',
            storeId: 'store-1',
            customerId: 'c-1',
            items: [
              { sku: 'widget', quantity: 3, unitPrice: 1000 },
              { sku: 'gadget', quantity: 1, unitPrice: 550 },
            ],
            payment: { method: 'card' },
            purchasedAt: at,
            subtotal: 3550,
            discount: 1000,
            total: 2550,
            promotions: [{ id: 'w-3for2', discount: 1000 }],
            pointsEarned: 25,
          },
        },
      ]);
  });

  it('given one sku short, when a basket is bought, then nothing of it is sold', () => {
    spec
      .given([stock('widget', 5), stock('gadget', 0)])
      .when(
        purchase([
          { sku: 'widget', quantity: 1, unitPrice: 1 },
          { sku: 'gadget', quantity: 1, unitPrice: 1 },
        ]),
      )
      .thenThrows(refused(/insufficient stock for gadget/));
  });

  it('given stock sold at the till before, when more than is left is bought, then it is refused', () => {
    const sold: PosEvent = {
      type: 'PurchaseCompleted',
      data: {
        purchaseId: 'p-0',
        storeId: 'store-1',
        items: [{ sku: 'widget', quantity: 4, unitPrice: 1 }],
        payment: { method: 'cash' },
        purchasedAt: at,
        subtotal: 4,
        discount: 0,
        total: 4,
        promotions: [],
        pointsEarned: 0,
      },
    };
    spec
      .given([stock('widget', 5), sold])
      .when(purchase([{ sku: 'widget', quantity: 2, unitPrice: 1 }]))
      .thenThrows(refused(/1 available, 2 requested/));
  });

  it('given an unknown sku, when it is bought, then it is bad input naming the field', () => {
    spec
      .given([stock('widget', 1)])
      .when(
        purchase([
          { sku: 'widget', quantity: 1, unitPrice: 1 },
          { sku: 'nothing', quantity: 1, unitPrice: 1 },
        ]),
      )
      .thenThrows(
        (err) =>
          err instanceof HandlerError &&
          err.kind === 'bad-input' &&
          /^items\[1\]\.sku/.test(err.message),
      );
  });

  it('given an anonymous shopper, when a basket is bought, then no points are earned', () => {
    const anonymous = purchase([{ sku: 'widget', quantity: 1, unitPrice: 500 }]);
    delete anonymous.data.customerId;
    const [completed] = posPurchaseDecider.decide(
      anonymous,
      [stock('widget', 1)].reduce(posPurchaseDecider.evolve, posPurchaseDecider.initialState()),
    );
    expect(completed?.data.pointsEarned).toBe(0);
  });
});
