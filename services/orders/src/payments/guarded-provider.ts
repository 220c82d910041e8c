import { CircuitBreaker, CircuitOpenError, TokenBucket } from '@eventline/backpressure';
import { overloaded } from '@eventline/kit';
import { instruments, type Logger } from '@eventline/telemetry';
import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest } from './provider';

const providerInstruments = instruments((meter) => ({
  calls: meter.createCounter('eventline.payments.provider.calls', {
    description:
      'Calls toward the payment provider by outcome: answered, failed, or refused before reaching it (breaker open, rate limited)',
    unit: '{call}',
  }),
}));

type CallOutcome = 'answered' | 'failed' | 'breaker-open' | 'rate-limited';

export interface GuardOptions {
  breaker: CircuitBreaker;
  /** the rate shared by every replica; undefined draws no tokens */
  bucket: TokenBucket | undefined;
  log: Logger;
}

/** Retry-After is whole seconds: a refusal asks for at least one. */
const retryAfterSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * The provider behind back-pressure: a token from the bucket all replicas share, then the call
 * through this process's circuit breaker. A refusal is the kit's retryable `overloaded` (429 with
 * Retry-After), so the step's delivery is retried after the wait instead of failing the order;
 * a provider that does not answer fails the same way once the breaker opens, without the wait
 * for its timeout.
 */
export class GuardedPaymentProvider implements PaymentProvider {
  constructor(
    private readonly provider: PaymentProvider,
    private readonly options: GuardOptions,
  ) {}

  charge(request: ChargeRequest): Promise<ChargeResult> {
    return this.guarded(() => this.provider.charge(request));
  }

  refund(request: RefundRequest): Promise<void> {
    return this.guarded(() => this.provider.refund(request));
  }

  private async guarded<T>(work: () => Promise<T>): Promise<T> {
    const { breaker, bucket, log } = this.options;
    const count = (outcome: CallOutcome) => providerInstruments().calls.add(1, { outcome });
    // Redis away: the replicas cannot share a count, and the breaker still guards the provider;
    // refusing every payment until Redis returns would fail orders the provider could take.
    const take = await bucket?.take();
    if (take && !take.taken) {
      count('rate-limited');
      throw overloaded(
        'the payment provider rate limit is reached',
        retryAfterSeconds(take.retryAfterMs),
      );
    }
    const before = breaker.state;
    try {
      const answer = await breaker.call(work);
      count('answered');
      if (before !== 'closed')
        log.info({ downstream: breaker.downstream }, 'payment provider circuit closed');
      return answer;
    } catch (err) {
      if (err instanceof CircuitOpenError) {
        count('breaker-open');
        throw overloaded(err.message, retryAfterSeconds(err.retryAfterMs));
      }
      count('failed');
      if (breaker.state === 'open')
        log.warn({ err, downstream: breaker.downstream }, 'payment provider circuit open');
      throw err;
    }
  }
}
