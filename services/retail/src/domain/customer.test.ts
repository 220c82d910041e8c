import { deciderSpec } from '@eventline/eventstore';
import {
  customerDecider,
  type CustomerPurchase,
  type CustomerPurchaseRecorded,
  type RecordCustomerPurchase,
} from './customer';

const spec = deciderSpec(customerDecider);
const purchase = (
  channel: CustomerPurchase['channel'],
  reference: string,
  points = 0,
): CustomerPurchase => ({
  channel,
  reference,
  customerId: 'c-1',
  place: channel === 'online' ? 'eu-west' : 'store-1',
  items: [{ sku: 'widget', quantity: 1, unitPrice: 1500 }],
  total: 1500,
  points,
  at: '2026-01-02T03:04:05.000Z',
});
const record = (p: CustomerPurchase): RecordCustomerPurchase => ({
  type: 'RecordCustomerPurchase',
  data: p,
});
const recorded = (p: CustomerPurchase): CustomerPurchaseRecorded => ({
  type: 'CustomerPurchaseRecorded',
  data: p,
});

describe('the customers read model', () => {
  it('given a new customer, when they buy at a till, then the purchase is recorded with its points', () => {
    spec
      .given([])
      .when(record(purchase('store', 'p-1', 15)))
      .then([recorded(purchase('store', 'p-1', 15))]);
  });

  it('given a purchase recorded, when it is delivered again, then nothing changes', () => {
    spec
      .given([recorded(purchase('store', 'p-1', 15))])
      .when(record(purchase('store', 'p-1', 15)))
      .then([]);
  });

  it('given a till purchase, when an online order of the same id arrives, then it is another purchase', () => {
    spec
      .given([recorded(purchase('store', 'x-1'))])
      .when(record(purchase('online', 'x-1')))
      .then([recorded(purchase('online', 'x-1'))]);
  });

  it('given purchases in both channels, then points and spending add up', () => {
    const state = [
      recorded(purchase('store', 'p-1', 15)),
      recorded(purchase('online', 'o-1')),
    ].reduce(customerDecider.evolve, customerDecider.initialState());
    expect(state).toMatchObject({ points: 15, purchases: 2, spent: 3000 });
  });
});
