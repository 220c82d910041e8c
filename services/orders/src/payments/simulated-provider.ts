import { createHash } from 'node:crypto';
import type { ChargeResult, PaymentProvider } from './provider';

export interface SimulatedProviderOptions {
  /** how long each call takes, as a provider round trip would */
  latencyMs: number;
  /** share of charges declined, 0..1, decided by the idempotency key so retries agree */
  declineRate: number;
}

/** A stand-in provider: configurable latency and decline rate; customers named decline-* are always declined. */
export class SimulatedPaymentProvider implements PaymentProvider {
  private readonly charges = new Map<string, ChargeResult>();

  constructor(private readonly options: SimulatedProviderOptions) {}

  private async delay(): Promise<void> {
    if (this.options.latencyMs > 0)
      await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
  }

  async charge(request: {
    idempotencyKey: string;
    customerId: string;
    amount: number;
  }): Promise<ChargeResult> {
    await this.delay();
    const earlier = this.charges.get(request.idempotencyKey);
    if (earlier) return earlier;
    const draw =
      createHash('sha256').update(request.idempotencyKey).digest().readUInt32BE(0) / 2 ** 32;
    const result: ChargeResult =
      request.customerId.startsWith('decline-') || draw < this.options.declineRate
        ? { status: 'declined', reason: 'card declined by the provider' }
        : { status: 'charged', reference: `sim_${request.idempotencyKey}` };
    this.charges.set(request.idempotencyKey, result);
    return result;
  }

  async refund(_request: {
    idempotencyKey: string;
    reference: string;
    amount: number;
  }): Promise<void> {
    await this.delay();
  }
}
