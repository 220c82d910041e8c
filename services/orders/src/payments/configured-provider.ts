import { ordersConfig } from '../config';
import type { PaymentProvider } from './provider';
import { SimulatedPaymentProvider } from './simulated-provider';

let provider: PaymentProvider | undefined;

/** The provider this process charges through; swap the construction here for a real one. */
export function paymentProvider(): PaymentProvider {
  const config = ordersConfig();
  provider ??= new SimulatedPaymentProvider({
    latencyMs: config.PAYMENT_LATENCY_MS,
    declineRate: config.PAYMENT_DECLINE_RATE,
  });
  return provider;
}
