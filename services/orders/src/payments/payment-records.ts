import type { Transaction } from '@eventline/store';
import type { PaymentState } from '../domain/payment';

/** An order's recorded payment; `lock` holds its row until COMMIT. */
export async function loadPayment(
  tx: Transaction,
  orderId: string,
  lock = false,
): Promise<PaymentState> {
  const { rows } = await tx.query<{
    status: 'charged' | 'declined' | 'refunded';
    reference: string | null;
    amount: number;
    reason: string | null;
  }>(
    `SELECT status, reference, amount, reason FROM orders.payments WHERE order_id = $1${lock ? ' FOR UPDATE' : ''}`,
    [orderId],
  );
  const row = rows[0];
  if (!row) return { status: 'unpaid' };
  if (row.status === 'declined') return { status: 'declined', reason: row.reason ?? '' };
  return { status: row.status, reference: row.reference ?? '', amount: row.amount };
}
