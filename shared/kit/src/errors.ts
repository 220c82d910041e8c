import { isConnectionError, isRetryableDatabaseError } from '@eventline/store';

/**
 * What went wrong, as a value the kit maps to Knative's retry rules:
 * bad input is final (400, and 422 for a well-formed request the current state refuses for good),
 * conflicts and transient faults are retried (409, 503), and a request refused because the
 * system cannot finish it in time is to be retried after a while (429 with Retry-After).
 */
export type ErrorKind =
  'bad-input' | 'unprocessable' | 'conflict' | 'transient' | 'not-found' | 'overloaded';

export class HandlerError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** when to try again (the Retry-After header), for kinds that say it */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const badInput = (reason: string) => new HandlerError('bad-input', reason);
export const unprocessable = (reason: string) => new HandlerError('unprocessable', reason);
export const conflict = (reason: string) => new HandlerError('conflict', reason);
export const transient = (reason: string) => new HandlerError('transient', reason);
export const notFound = (reason: string) => new HandlerError('not-found', reason);
export const overloaded = (reason: string, retryAfterSeconds: number) =>
  new HandlerError('overloaded', reason, retryAfterSeconds);

const STATUS: Record<ErrorKind, number> = {
  'bad-input': 400,
  'not-found': 404,
  unprocessable: 422,
  conflict: 409,
  overloaded: 429,
  transient: 503,
};

/** The HTTP status an error answers with; unknown failures are 500, which Knative retries. */
export function statusFor(err: unknown): number {
  if (err instanceof HandlerError) return STATUS[err.kind];
  if (isRetryableDatabaseError(err)) return 409;
  if (isConnectionError(err)) return 503;
  return 500;
}

/** What the response body may say: our own errors in full, internal ones without detail. */
export function publicReason(err: unknown): string {
  if (err instanceof HandlerError) return err.message;
  if (isRetryableDatabaseError(err)) return 'concurrent update, retry';
  if (isConnectionError(err)) return 'a dependency is unavailable, retry';
  return 'internal error';
}
