import { deciderSpec } from '@eventline/eventstore';
import { deviceSilenceDecider, type DeviceSeen, type FindSilentDevices } from './decider';

const spec = deciderSpec(deviceSilenceDecider);
const now = '2026-01-01T01:00:00.000Z';
const find = (...devices: DeviceSeen[]): FindSilentDevices => ({
  type: 'FindSilentDevices',
  data: { now, devices, expectedIntervalSeconds: { default: 300, meter: 3600 } },
});
const seen = (deviceId: string, lastSeenAt: string, deviceType = 'default'): DeviceSeen => ({
  deviceId,
  deviceType,
  lastSeenAt,
});

describe('finding silent devices', () => {
  it('given a device quiet for longer than its interval, when looked for, then it is silent', () => {
    spec
      .given([])
      .when(find(seen('d-1', '2026-01-01T00:54:59.000Z')))
      .then([
        {
          type: 'DeviceWentSilent',
          data: {
            deviceId: 'd-1',
            deviceType: 'default',
            lastSeenAt: '2026-01-01T00:54:59.000Z',
            silentForSeconds: 301,
            expectedIntervalSeconds: 300,
          },
        },
      ]);
  });

  it('given a device heard within its interval, when looked for, then it is not silent', () => {
    spec
      .given([])
      .when(find(seen('d-1', '2026-01-01T00:55:00.000Z')))
      .then([]);
  });

  it("given a device type with a longer interval, when quiet as long, then that type's interval holds", () => {
    spec
      .given([])
      .when(find(seen('m-1', '2026-01-01T00:30:00.000Z', 'meter')))
      .then([]);
  });

  it('given a silence already reported, when looked for again, then it is not reported twice', () => {
    spec
      .given([])
      .when(
        find({
          ...seen('d-1', '2026-01-01T00:00:00.000Z'),
          silenceReportedFor: '2026-01-01T00:00:00.000Z',
        }),
      )
      .then([]);
  });
});
