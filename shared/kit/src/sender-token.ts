import { readFileSync } from 'node:fs';
import { ConfigError, type HandlerEnv } from './config';

/**
 * A projected ServiceAccount token is rotated by the kubelet at 80% of its lifetime (an hour by
 * default, ten minutes at least): reading the file again this often always finds a valid one.
 */
const TOKEN_FILE_REREAD_MS = 60_000;

/**
 * The headers that name this handler to K_SINK (`authorization: Bearer <token>`), or none when it
 * has no identity (a broker without sender authorization). A file is read at start, so a missing
 * one fails the start, and then again once a minute.
 */
export function senderHeaders(config: HandlerEnv): () => Record<string, string> | undefined {
  const { EVENTLINE_SENDER_TOKEN: token, EVENTLINE_SENDER_TOKEN_FILE: file } = config;
  if (token && file)
    throw new ConfigError(
      'EVENTLINE_SENDER_TOKEN_FILE: set it or EVENTLINE_SENDER_TOKEN, not both',
    );
  if (token) {
    const headers = { authorization: `Bearer ${token}` };
    return () => headers;
  }
  if (!file) return () => undefined;
  const read = () => {
    try {
      return { authorization: `Bearer ${readFileSync(file, 'utf8').trim()}` };
    } catch (err) {
      throw new ConfigError(
        `EVENTLINE_SENDER_TOKEN_FILE: cannot read ${file}: ${(err as Error).message}`,
      );
    }
  };
  let headers = read();
  let readAt = Date.now();
  return () => {
    if (Date.now() - readAt >= TOKEN_FILE_REREAD_MS) {
      // A failed read keeps the last token: a send with it is better than none.
      try {
        headers = read();
      } catch {
        // kept
      }
      readAt = Date.now();
    }
    return headers;
  };
}
