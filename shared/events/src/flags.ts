import { defineEvent } from './define';

export const FeatureFlagChanged = defineEvent('dev.eventline.flags.changed', {
  type: 'object',
  required: ['key', 'enabled', 'version', 'changedAt'],
  additionalProperties: false,
  properties: {
    key: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' },
    enabled: { type: 'boolean' },
    version: { type: 'integer', minimum: 1 },
    changedAt: { type: 'string', format: 'date-time' },
  },
} as const);
