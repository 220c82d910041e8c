/** An alert as the adapter delivers it. */
export interface AlertNotice {
  /** stable per alert: a receiver deduplicates a notice sent again after a crash */
  idempotencyKey: string;
  deviceId: string;
  kind: 'anomaly' | 'silence';
  metric?: string;
  raisedAt: string;
  details: Record<string, unknown>;
}

/** Where alerts go out: a webhook, a pager, a chat. */
export interface AlertAdapter {
  notify(notice: AlertNotice): Promise<void>;
}
