import { createPool, sharedSession, type Pool } from '@eventline/store';
import { createLogger } from '@eventline/telemetry';
import { ordersConfig } from '../config';
import type { PaymentProvider } from './provider';
import { MemoryPaymentLedger, PostgresPaymentLedger } from './provider-ledger';
import { SimulatedPaymentProvider } from './simulated-provider';

let provider: PaymentProvider | undefined;
const log = createLogger('payment-provider');

/** The provider this process charges through; swap the construction here for a real one. */
export function paymentProvider(): PaymentProvider {
  const config = ordersConfig();
  provider ??= new SimulatedPaymentProvider({
    latencyMs: config.PAYMENT_LATENCY_MS,
    declineRate: config.PAYMENT_DECLINE_RATE,
    ledger:
      sharedSession() || !config.DATABASE_URL
        ? new MemoryPaymentLedger()
        : new PostgresPaymentLedger(ledgerPool(config.DATABASE_URL)),
  });
  return provider;
}

/**
 * The ledger's own pool. An idle connection the server ends (a restart, a failover) is an
 * 'error' event on the pool: unheard, it would end the handler's process; the next query
 * connects again.
 */
function ledgerPool(databaseUrl: string): Pool {
  const pool = createPool(databaseUrl, { max: 2, name: 'payment-provider' });
  pool.on('error', (err) => log.warn({ err }, 'idle payment ledger connection failed'));
  return pool;
}
