import { createPool, sharedSession, type Pool } from '@eventline/store';
import { ordersConfig } from '../config';
import type { PaymentProvider } from './provider';
import { MemoryPaymentLedger, PostgresPaymentLedger } from './provider-ledger';
import { SimulatedPaymentProvider } from './simulated-provider';

const providers = new WeakMap<Pool, PaymentProvider>();

/**
 * The provider a handler on `pool` charges through; swap the construction here for a real one.
 * The simulated provider's ledger lives in the handler's database, on a pool of its own.
 */
export function paymentProvider(pool: Pool): PaymentProvider {
  let provider = providers.get(pool);
  if (!provider) {
    const config = ordersConfig();
    const url = pool.options.connectionString;
    const ledgerPool = url ? createPool(url, { max: 2, name: 'payment-provider' }) : undefined;
    // An idle connection the server ended is dropped by the pool; the next call opens another.
    ledgerPool?.on('error', () => undefined);
    provider = new SimulatedPaymentProvider({
      latencyMs: config.PAYMENT_LATENCY_MS,
      declineRate: config.PAYMENT_DECLINE_RATE,
      ledger:
        sharedSession() || !ledgerPool
          ? new MemoryPaymentLedger()
          : new PostgresPaymentLedger(ledgerPool),
    });
    providers.set(pool, provider);
  }
  return provider;
}
