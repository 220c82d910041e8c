import { createHash } from 'node:crypto';
import { transient } from '@eventline/kit';
import type { PaymentLedger } from './provider-ledger';
import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest } from './provider';

export interface SimulatedProviderOptions {
  /** how long each call takes, as a provider round trip would */
  latencyMs: number;
  /** share of charges declined, 0..1, decided by the idempotency key so retries agree */
  declineRate: number;
  ledger: PaymentLedger;
  /** every call fails, after its latency, until this instant (epoch ms) */
  unavailableUntil?: number;
}

/**
 * A stand-in provider: configurable latency, decline rate and outage; customers named decline-*
 * are always declined.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  constructor(private readonly options: SimulatedProviderOptions) {}

  private async delay(): Promise<void> {
    if (this.options.latencyMs > 0)
      await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    const until = this.options.unavailableUntil;
    if (until !== undefined && Date.now() < until)
      throw transient('the payment provider is unavailable');
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    await this.delay();
    const draw =
      createHash('sha256').update(request.idempotencyKey).digest().readUInt32BE(0) / 2 ** 32;
    const result: ChargeResult =
      request.customerId.startsWith('decline-') || draw < this.options.declineRate
        ? { status: 'declined', reason: 'card declined by the provider' }
        : { status: 'charged', reference: `sim_${request.idempotencyKey}` };
    return this.options.ledger.charge(request, result);
  }

  async refund(request: RefundRequest): Promise<void> {
    await this.delay();
    await this.options.ledger.refund(request);
  }
}
