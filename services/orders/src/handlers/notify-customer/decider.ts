import type { Decider } from '@eventline/eventstore';
import type { DataOf, OrderPlaced } from '@eventline/events';

export interface NotificationState {
  notified: boolean;
}

export type NotifyCustomer = { type: 'NotifyCustomer'; data: DataOf<typeof OrderPlaced> };

export type NotificationEvent = {
  type: 'CustomerNotified';
  data: { orderId: string; customerId: string; message: string };
};

/** Tells a customer once that their order was received, and what it holds. */
export const notifyCustomerDecider = {
  initialState: (): NotificationState => ({ notified: false }),
  evolve: (): NotificationState => ({ notified: true }),
  decide({ data: order }: NotifyCustomer, state: NotificationState): NotificationEvent[] {
    if (state.notified) return [];
    const message = `Order ${order.orderId} received: ${order.items.length} item(s), total ${order.total}`;
    return [
      {
        type: 'CustomerNotified',
        data: { orderId: order.orderId, customerId: order.customerId, message },
      },
    ];
  },
} satisfies Decider<NotificationState, NotifyCustomer, NotificationEvent>;
