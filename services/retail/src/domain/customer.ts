import type { Decider } from '@eventline/eventstore';
import type { CartLine } from './cart';

/** Where a purchase was made: online (an order) or at a store's till. */
export type Channel = 'online' | 'store';

/** One purchase in a customer's history; `reference` is the order's or the till purchase's id. */
export interface CustomerPurchase {
  channel: Channel;
  reference: string;
  customerId: string;
  /** the order's region, or the store */
  place: string;
  items: CartLine[];
  total: number;
  points: number;
  at: string;
}

/** What the read model knows of one customer, and which purchases it has counted. */
export interface CustomerState {
  points: number;
  purchases: number;
  spent: number;
  counted: string[];
}

export type RecordCustomerPurchase = { type: 'RecordCustomerPurchase'; data: CustomerPurchase };
export type CustomerPurchaseRecorded = { type: 'CustomerPurchaseRecorded'; data: CustomerPurchase };

const countedAs = (p: Pick<CustomerPurchase, 'channel' | 'reference'>) =>
  `${p.channel}:${p.reference}`;

/**
 * The customers read model, fed by online orders and till purchases: each purchase counts once,
 * however often it is delivered, and its points go to the customer.
 */
export const customerDecider = {
  initialState: (): CustomerState => ({ points: 0, purchases: 0, spent: 0, counted: [] }),
  evolve: (state: CustomerState, { data }: CustomerPurchaseRecorded): CustomerState => ({
    points: state.points + data.points,
    purchases: state.purchases + 1,
    spent: state.spent + data.total,
    counted: [...state.counted, countedAs(data)],
  }),
  decide({ data }: RecordCustomerPurchase, state: CustomerState): CustomerPurchaseRecorded[] {
    if (state.counted.includes(countedAs(data))) return [];
    return [{ type: 'CustomerPurchaseRecorded', data }];
  },
} satisfies Decider<CustomerState, RecordCustomerPurchase, CustomerPurchaseRecorded>;
