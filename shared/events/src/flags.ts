import { defineEvent } from './define';

export const FeatureFlagChanged = defineEvent('dev.eventline.flags.changed', {
  type: 'object',
  required: ['key', 'enabled', 'version', 'changedAt'],
  additionalProperties: false,
  properties: {
    key: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' },
    enabled: { type: 'boolean' },
    // a bigserial, exact in JSON up to 2^53 - 1
    version: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 },
    changedAt: { type: 'string', format: 'date-time' },
  },
} as const);
