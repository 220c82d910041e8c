/**
 * Named (server-side prepared) statements save Postgres a parse and plan per call. A server
 * whose connections share one session, as the embedded PGlite's multiplexer does, would see the
 * same name prepared twice; EVENTLINE_PG_NAMED_STATEMENTS=false sends them unnamed there.
 */
const named = process.env.EVENTLINE_PG_NAMED_STATEMENTS !== 'false';

export function statement(
  name: string,
  text: string,
  values: unknown[] = [],
): { name?: string; text: string; values: unknown[] } {
  return named ? { name, text, values } : { text, values };
}
