import { OrderPlaced } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import { applyCustomerPurchases, loadCustomer } from '../../customer-view';
import { customerDecider, type CustomerPurchase } from '../../domain/customer';

/**
 * Records an online order in its customer's history. Loyalty points are the till's: an order
 * earns none here, since one placed may still be cancelled.
 */
export const customerOrders = defineHandler({
  name: 'customer-orders',
  accepts: OrderPlaced,
  async handle(order, { tx }) {
    const purchase: CustomerPurchase = {
      channel: 'online',
      reference: order.orderId,
      customerId: order.customerId,
      place: order.region,
      items: order.items,
      total: order.total,
      points: 0,
      at: order.placedAt,
    };
    const state = await loadCustomer(tx, purchase);
    const events = customerDecider.decide(
      { type: 'RecordCustomerPurchase', data: purchase },
      state,
    );
    await applyCustomerPurchases(tx, events);
  },
});
