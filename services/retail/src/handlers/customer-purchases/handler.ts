import { PosPurchaseCompleted } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import { applyCustomerPurchases, loadCustomer } from '../../customer-view';
import { customerDecider, type CustomerPurchase } from '../../domain/customer';

/** Records a till purchase, with the points it earned, in its customer's history. */
export const customerPurchases = defineHandler({
  name: 'customer-purchases',
  accepts: PosPurchaseCompleted,
  async handle(sale, { tx }) {
    // An anonymous sale belongs to no customer.
    if (!sale.customerId) return;
    const purchase: CustomerPurchase = {
      channel: 'store',
      reference: sale.purchaseId,
      customerId: sale.customerId,
      place: sale.storeId,
      items: sale.items,
      total: sale.total,
      points: sale.pointsEarned,
      at: sale.purchasedAt,
    };
    const state = await loadCustomer(tx, purchase);
    const events = customerDecider.decide(
      { type: 'RecordCustomerPurchase', data: purchase },
      state,
    );
    await applyCustomerPurchases(tx, events);
  },
});
