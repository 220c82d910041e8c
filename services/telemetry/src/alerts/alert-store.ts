import type { Pool, Transaction } from '@eventline/store';
import { alertDecider, type Alert } from '../domain/alert';
import type { AlertAdapter } from './alert-adapter';

/**
 * Stores an alert once per cause and notifies the adapter in the same delivery: a failed notice
 * rolls the alert back, so the broker's retry stores and notifies it again, with the same
 * idempotency key for the receiver.
 */
export async function raiseAlert(
  tx: Transaction,
  adapter: AlertAdapter,
  alert: Alert,
): Promise<boolean> {
  const { rows } = await tx.query<{ id: number }>(
    'SELECT id FROM telemetry.alerts WHERE cause = $1 FOR UPDATE',
    [alert.cause],
  );
  const events = alertDecider.decide(
    { type: 'RaiseAlert', data: alert },
    { stored: rows.length > 0 },
  );
  for (const { data } of events) {
    await tx.query(
      `INSERT INTO telemetry.alerts (cause, device_id, kind, metric, details, raised_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        data.cause,
        data.deviceId,
        data.kind,
        data.metric ?? null,
        JSON.stringify(data.details),
        data.raisedAt,
      ],
    );
    await adapter.notify({ idempotencyKey: data.cause, ...data });
    await tx.query('UPDATE telemetry.alerts SET notified_at = now() WHERE cause = $1', [
      data.cause,
    ]);
  }
  return events.length > 0;
}

export interface StoredAlert extends Alert {
  id: number;
  storedAt: string;
  notifiedAt: string | null;
}

const ISO = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The newest alerts, of one device or of all, newest first. */
export async function listAlerts(
  pool: Pool,
  query: { deviceId?: string; limit: number },
): Promise<StoredAlert[]> {
  const { rows } = await pool.query<StoredAlert>(
    `SELECT id, cause, device_id AS "deviceId", kind, metric, details,
            ${ISO('raised_at')} AS "raisedAt", ${ISO('stored_at')} AS "storedAt",
            ${ISO('notified_at')} AS "notifiedAt"
     FROM telemetry.alerts WHERE ($1::text IS NULL OR device_id = $1)
     ORDER BY id DESC LIMIT $2`,
    [query.deviceId ?? null, query.limit],
  );
  return rows.map((row) => (row.metric === null ? { ...row, metric: undefined } : row));
}
