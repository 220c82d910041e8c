import { transient } from '@eventline/kit';
import type { AlertAdapter, AlertNotice } from './alert-adapter';

/**
 * POSTs each alert as JSON with an Idempotency-Key header. A failure is transient, so the
 * delivery is retried by the broker and the alert is not stored without its notice.
 */
export class WebhookAlertAdapter implements AlertAdapter {
  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  async notify(notice: AlertNotice): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': notice.idempotencyKey },
        body: JSON.stringify(notice),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw transient(`alert webhook unreachable: ${(err as Error).message}`);
    }
    if (!response.ok) throw transient(`alert webhook answered ${response.status}`);
  }
}
