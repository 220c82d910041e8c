import { CircuitBreaker, TokenBucket } from '@eventline/backpressure';
import type { Cache } from '@eventline/cache';
import { createPool, sharedSession, type Pool } from '@eventline/store';
import { createLogger } from '@eventline/telemetry';
import { ordersConfig } from '../config';
import { GuardedPaymentProvider } from './guarded-provider';
import type { PaymentProvider } from './provider';
import { MemoryPaymentLedger, PostgresPaymentLedger } from './provider-ledger';
import { SimulatedPaymentProvider } from './simulated-provider';

const providers = new WeakMap<Pool, PaymentProvider>();
const log = createLogger('payment-provider');

/**
 * The provider a handler on `pool` charges through, behind its circuit breaker and the rate
 * limit shared in `cache`; swap the simulated provider here for a real one. The simulated
 * provider's ledger lives in the handler's database, on a pool of its own.
 */
export function paymentProvider(pool: Pool, cache: Cache): PaymentProvider {
  let provider = providers.get(pool);
  if (!provider) {
    const config = ordersConfig();
    const url = pool.options.connectionString;
    const simulated = new SimulatedPaymentProvider({
      latencyMs: config.PAYMENT_LATENCY_MS,
      declineRate: config.PAYMENT_DECLINE_RATE,
      unavailableUntil: config.PAYMENT_UNAVAILABLE_UNTIL,
      ledger:
        sharedSession() || !url
          ? new MemoryPaymentLedger()
          : new PostgresPaymentLedger(ledgerPool(url)),
    });
    provider = new GuardedPaymentProvider(simulated, {
      breaker: new CircuitBreaker('payments', {
        failures: config.PAYMENT_BREAKER_FAILURES,
        windowMs: config.PAYMENT_BREAKER_WINDOW_MS,
        openMs: config.PAYMENT_BREAKER_OPEN_MS,
      }),
      bucket:
        config.PAYMENT_RATE_PER_SECOND > 0
          ? new TokenBucket(cache, 'payments', {
              capacity: config.PAYMENT_RATE_BURST,
              perSecond: config.PAYMENT_RATE_PER_SECOND,
            })
          : undefined,
      log,
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
