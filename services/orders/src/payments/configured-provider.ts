import { createPool, sharedSession } from '@eventline/store';
import { ordersConfig } from '../config';
import type { PaymentProvider } from './provider';
import { MemoryPaymentLedger, PostgresPaymentLedger } from './provider-ledger';
import { SimulatedPaymentProvider } from './simulated-provider';

let provider: PaymentProvider | undefined;

/** The provider this process charges through; swap the construction here for a real one. */
export function paymentProvider(): PaymentProvider {
  const config = ordersConfig();
  provider ??= new SimulatedPaymentProvider({
    latencyMs: config.PAYMENT_LATENCY_MS,
    declineRate: config.PAYMENT_DECLINE_RATE,
    ledger:
      sharedSession() || !config.DATABASE_URL
        ? new MemoryPaymentLedger()
        : new PostgresPaymentLedger(
            createPool(config.DATABASE_URL, { max: 2, name: 'payment-provider' }),
          ),
  });
  return provider;
}
