import { defineJob, outgoing } from '@eventline/kit';
import { DeviceSilent } from '@eventline/events';
import { telemetryConfig } from '../../config';
import { deviceSilenceDecider, type DeviceSeen } from './decider';

/** Devices looked at per transaction. */
const PAGE = 500;

const ISO = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Raises DeviceSilent for each device quiet longer than its type's expected interval, once per
 * silence: the reported last-seen time is recorded with the event in one transaction, and rows
 * are taken with SKIP LOCKED so an overlapping tick takes other devices.
 */
export const deviceSilence = defineJob({
  name: 'device-silence',
  emits: [DeviceSilent],
  async run({ transact }) {
    const types = telemetryConfig().TELEMETRY_DEVICE_TYPES;
    const expectedIntervalSeconds = Object.fromEntries(
      Object.entries(types).map(([type, settings]) => [type, settings.expectedIntervalSeconds]),
    );
    const shortest = Math.min(...Object.values(expectedIntervalSeconds));
    let silent = 0;
    let after = '';
    for (;;) {
      const page = await transact(async (tx) => {
        const now = new Date();
        const { rows } = await tx.query<DeviceSeen & { silenceReportedFor: string | null }>(
          `SELECT device_id AS "deviceId", device_type AS "deviceType",
                  ${ISO('last_seen_at')} AS "lastSeenAt", ${ISO('silence_reported_for')} AS "silenceReportedFor"
           FROM telemetry.devices
           WHERE device_id > $1 AND last_seen_at < $2
             AND silence_reported_for IS DISTINCT FROM last_seen_at
           ORDER BY device_id LIMIT ${PAGE} FOR UPDATE SKIP LOCKED`,
          [after, new Date(now.getTime() - shortest * 1000)],
        );
        const events = deviceSilenceDecider.decide({
          type: 'FindSilentDevices',
          data: {
            now: now.toISOString(),
            devices: rows.map((r) => ({
              ...r,
              silenceReportedFor: r.silenceReportedFor ?? undefined,
            })),
            expectedIntervalSeconds,
          },
        });
        if (events.length > 0)
          await tx.query(
            `UPDATE telemetry.devices d SET silence_reported_for = u.seen
             FROM unnest($1::text[], $2::timestamptz[]) AS u(id, seen) WHERE d.device_id = u.id`,
            [events.map((e) => e.data.deviceId), events.map((e) => e.data.lastSeenAt)],
          );
        return {
          result: { looked: rows.length, silent: events.length, last: rows.at(-1)?.deviceId },
          emit: events.map(({ data }) =>
            outgoing(DeviceSilent, data, { partitionkey: data.deviceId }),
          ),
        };
      });
      silent += page.silent;
      if (page.looked < PAGE || !page.last) break;
      after = page.last;
    }
    return { silent };
  },
});
