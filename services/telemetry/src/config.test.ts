import { readConfig } from '@eventline/kit';
import { retentionCutoff, telemetryEnvSchema } from './config';

describe('the telemetry configuration', () => {
  it('takes per device type settings over the default', () => {
    const config = readConfig(telemetryEnvSchema, {
      TELEMETRY_DEVICE_TYPES: JSON.stringify({
        pump: { alpha: 0.1, zThreshold: 4, warmup: 10, expectedIntervalSeconds: 60 },
      }),
    });
    expect(Object.keys(config.TELEMETRY_DEVICE_TYPES).sort()).toEqual(['default', 'pump']);
    expect(config.TELEMETRY_DEVICE_TYPES.pump?.zThreshold).toBe(4);
  });

  it.each([
    [
      { TELEMETRY_DEVICE_TYPES: '{"pump":{"alpha":2}}' },
      'TELEMETRY_DEVICE_TYPES: must be JSON like',
    ],
    [{ TELEMETRY_DEVICE_TYPES: 'not json' }, 'TELEMETRY_DEVICE_TYPES: must be JSON like'],
    [{ TELEMETRY_BATCH_SIZE: '5000' }, 'TELEMETRY_BATCH_SIZE'],
    [{ TELEMETRY_RETENTION_DAYS: '0' }, 'TELEMETRY_RETENTION_DAYS'],
    [{ TELEMETRY_ALERT_WEBHOOK_URL: 'ftp://x' }, 'TELEMETRY_ALERT_WEBHOOK_URL'],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => readConfig(telemetryEnvSchema, env)).toThrow(message);
  });

  it('keeps whole UTC days: the cutoff is midnight, retention days before today', () => {
    expect(retentionCutoff(new Date('2026-01-10T13:14:15Z'), 3)).toEqual(
      new Date('2026-01-07T00:00:00Z'),
    );
  });
});
