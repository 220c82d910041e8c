import type { AlertAdapter, AlertNotice } from './alert-adapter';

/** A stand-in for a real receiver: keeps each notice once, by its idempotency key. */
export class SimulatedAlertAdapter implements AlertAdapter {
  readonly notices = new Map<string, AlertNotice>();

  async notify(notice: AlertNotice): Promise<void> {
    if (!this.notices.has(notice.idempotencyKey)) this.notices.set(notice.idempotencyKey, notice);
  }
}
