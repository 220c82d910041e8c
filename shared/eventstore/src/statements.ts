import { sharedSession } from '@eventline/store';

/**
 * Named (server-side prepared) statements save Postgres a parse and plan per call. Where the
 * server's connections share one session (the embedded PGlite), the same name would be prepared
 * twice, so statements go unnamed there.
 */
export function statement(
  name: string,
  text: string,
  values: unknown[] = [],
): { name?: string; text: string; values: unknown[] } {
  return sharedSession() ? { text, values } : { name, text, values };
}
