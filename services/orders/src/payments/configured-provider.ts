import { createPool, sharedSession, type Pool } from '@eventline/store';
import { createLogger } from '@eventline/telemetry';
import { ordersConfig } from '../config';
import type { PaymentProvider } from './provider';
import { MemoryPaymentLedger, PostgresPaymentLedger } from './provider-ledger';
import { SimulatedPaymentProvider } from './simulated-provider';

const providers = new WeakMap<Pool, PaymentProvider>();
const log = createLogger('payment-provider');

/**
 * The provider a handler on `pool` charges through; swap the construction here for a real one.
 * The simulated provider's ledger lives in the handler's database, on a pool of its own.
 */
export function paymentProvider(pool: Pool): PaymentProvider {
  let provider = providers.get(pool);
  if (!provider) {
    const config = ordersConfig();
    const url = pool.options.connectionString;
    provider = new SimulatedPaymentProvider({
      latencyMs: config.PAYMENT_LATENCY_MS,
      declineRate: config.PAYMENT_DECLINE_RATE,
      ledger:
        sharedSession() || !url
          ? new MemoryPaymentLedger()
          : new PostgresPaymentLedger(ledgerPool(url)),
    });
    providers.set(pool, provider);
  }
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
