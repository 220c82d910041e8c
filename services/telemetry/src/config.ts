import { z } from 'zod';
import { readConfig } from '@eventline/kit';
import { MAX_READINGS_PER_EVENT } from '@eventline/events';
import type { ReadingLimits } from './domain/reading';

/** How the detector and the silence job treat one type of device. */
const deviceTypeSchema = z.object({
  /** EWMA weight of each new reading, 0..1: larger forgets faster */
  alpha: z.number().gt(0).lt(1),
  /** |z| beyond this is an anomaly */
  zThreshold: z.number().positive().max(1000),
  /** readings a detector learns from before it judges any */
  warmup: z.number().int().min(2).max(100_000),
  /** a device of this type sending nothing for longer than this is silent */
  expectedIntervalSeconds: z.number().int().min(1).max(10_000_000),
});
export type DeviceTypeSettings = z.infer<typeof deviceTypeSchema>;

const DEFAULT_DEVICE_TYPES: Record<string, DeviceTypeSettings> = {
  default: { alpha: 0.02, zThreshold: 6, warmup: 30, expectedIntervalSeconds: 300 },
};

const deviceTypesSchema = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (!text) return DEFAULT_DEVICE_TYPES;
    try {
      const parsed = z
        .record(z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/), deviceTypeSchema)
        .parse(JSON.parse(text));
      return { ...DEFAULT_DEVICE_TYPES, ...parsed };
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `must be JSON like {"thermostat":{"alpha":0.05,"zThreshold":5,"warmup":30,"expectedIntervalSeconds":300}}: ${(err as Error).message}`,
      });
      return z.NEVER;
    }
  });

/** The telemetry service's own settings, read once at start. */
export const telemetryEnvSchema = z.object({
  /** readings per CloudEvent the edge and the raw topic's intake emit */
  TELEMETRY_BATCH_SIZE: z.coerce.number().int().min(1).max(MAX_READINGS_PER_EVENT).default(500),
  /** readings one POST /telemetry or one raw record may carry */
  TELEMETRY_MAX_READINGS_PER_REQUEST: z.coerce.number().int().min(1).max(100_000).default(10_000),
  /** how far ahead of this process's clock a reading's time may be (device clocks drift) */
  TELEMETRY_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /** days of raw series kept; older day partitions are dropped by telemetry-retention */
  TELEMETRY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  /** day partitions created ahead of today by telemetry-retention */
  TELEMETRY_PARTITIONS_AHEAD_DAYS: z.coerce.number().int().min(1).max(60).default(2),
  /** per device type: alpha, zThreshold, warmup, expectedIntervalSeconds; `default` for the rest */
  TELEMETRY_DEVICE_TYPES: deviceTypesSchema,
  /** where alerts are POSTed as JSON; unset: the simulated adapter records them in-process */
  TELEMETRY_ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  TELEMETRY_ALERT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
});

export type TelemetryConfig = z.infer<typeof telemetryEnvSchema>;

let config: TelemetryConfig | undefined;
export function telemetryConfig(): TelemetryConfig {
  config ??= readConfig(telemetryEnvSchema);
  return config;
}

/** The settings of a device type, the `default` entry's for a type not configured. */
export function deviceTypeSettings(deviceType: string): DeviceTypeSettings {
  const types = telemetryConfig().TELEMETRY_DEVICE_TYPES;
  return types[deviceType] ?? (types.default as DeviceTypeSettings);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The oldest time the series keeps: UTC midnight, `retentionDays` before `now`'s day. */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return new Date(today - retentionDays * DAY_MS);
}

/** What a reading accepted now must satisfy, from the configuration. */
export function readingLimits(now = new Date()): ReadingLimits {
  const config = telemetryConfig();
  return {
    now,
    maxReadings: config.TELEMETRY_MAX_READINGS_PER_REQUEST,
    clockSkewMs: config.TELEMETRY_CLOCK_SKEW_SECONDS * 1000,
    oldestKept: retentionCutoff(now, config.TELEMETRY_RETENTION_DAYS),
  };
}
