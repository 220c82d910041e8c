import type { DataOf } from '@eventline/events';
import type { FeatureFlagChanged } from '@eventline/events';

export type FlagChanged = DataOf<typeof FeatureFlagChanged>;

export interface FlagView {
  key: string;
  enabled: boolean;
  version: number;
  updatedAt: string;
}

export type SetFlagCommand = { key: string; enabled: boolean };

const KEY = /^[A-Za-z0-9._-]{1,100}$/;

/** Validates a SetFlag request; returns the command or the reason it is refused. */
export function parseSetFlag(key: string, body: unknown): SetFlagCommand | { error: string } {
  if (!KEY.test(key)) return { error: 'flag key must be 1-100 letters, digits, ".", "_" or "-"' };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { error: 'body must be a JSON object like {"enabled": true}' };
  }
  const { enabled, ...rest } = body as Record<string, unknown>;
  if (typeof enabled !== 'boolean') return { error: 'enabled must be a boolean' };
  const unexpected = Object.keys(rest);
  if (unexpected.length > 0)
    return { error: `unexpected field ${unexpected.map((f) => `"${f}"`).join(', ')}` };
  return { key, enabled };
}

/** The event recording an accepted command; `version` orders changes to one flag. */
export function flagChanged(command: SetFlagCommand, version: number, at: Date): FlagChanged {
  return { key: command.key, enabled: command.enabled, version, changedAt: at.toISOString() };
}
