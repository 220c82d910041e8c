import type { Decider } from '@eventline/eventstore';
import type { DataOf, DeviceSilent } from '@eventline/events';

export interface DeviceSeen {
  deviceId: string;
  deviceType: string;
  lastSeenAt: string;
  /** the last-seen time whose silence was already reported, if any */
  silenceReportedFor?: string;
}

export type FindSilentDevices = {
  type: 'FindSilentDevices';
  data: {
    now: string;
    devices: DeviceSeen[];
    /** each device type's expected interval between readings, in seconds (and `default`) */
    expectedIntervalSeconds: Record<string, number>;
  };
};

export type DeviceWentSilent = { type: 'DeviceWentSilent'; data: DataOf<typeof DeviceSilent> };

/**
 * A device is silent when nothing came from it for longer than its type's expected interval.
 * Each silence is reported once: the same last-seen time already reported stays quiet until the
 * device speaks again.
 */
export const deviceSilenceDecider = {
  initialState: (): undefined => undefined,
  evolve: (): undefined => undefined,
  decide({ data }: FindSilentDevices): DeviceWentSilent[] {
    const now = new Date(data.now).getTime();
    return data.devices.flatMap((device): DeviceWentSilent[] => {
      if (device.silenceReportedFor === device.lastSeenAt) return [];
      const expected =
        data.expectedIntervalSeconds[device.deviceType] ??
        (data.expectedIntervalSeconds.default as number);
      const silentForSeconds = Math.floor((now - new Date(device.lastSeenAt).getTime()) / 1000);
      if (silentForSeconds <= expected) return [];
      return [
        {
          type: 'DeviceWentSilent',
          data: {
            deviceId: device.deviceId,
            deviceType: device.deviceType,
            lastSeenAt: device.lastSeenAt,
            silentForSeconds,
            expectedIntervalSeconds: expected,
          },
        },
      ];
    });
  },
} satisfies Decider<undefined, FindSilentDevices, DeviceWentSilent>;
