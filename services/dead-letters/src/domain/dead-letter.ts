/** Extensions Knative's dispatcher adds to an event it gives up on. */
export const ERROR_EXTENSIONS = [
  'knativeerrordest',
  'knativeerrorcode',
  'knativeerrordata',
] as const;

export interface DeadLetterReason {
  destination: string | null;
  status: number | null;
  /** the subscriber's response body, decoded from knativeerrordata */
  response: string | null;
}

/** Why an event was dead-lettered, read from its knativeerror* extensions. */
export function reasonOf(attributes: Record<string, unknown>): DeadLetterReason {
  const destination =
    typeof attributes.knativeerrordest === 'string' ? attributes.knativeerrordest : null;
  const code = Number(attributes.knativeerrorcode);
  const data = attributes.knativeerrordata;
  return {
    destination,
    status: Number.isInteger(code) ? code : null,
    // Postgres text holds no NUL: one in a response shows as U+FFFD, the rest as it came.
    response:
      typeof data === 'string'
        ? Buffer.from(data, 'base64').toString('utf8').replaceAll('\u0000', '\ufffd')
        : null,
  };
}

/**
 * One event dead-lettered by two triggers arrives twice with the same source and id: each is a
 * letter of its own, told apart by the subscriber that gave up on it.
 */
export function letterDeliveryId(attributes: Record<string, unknown>): string {
  return JSON.stringify([String(attributes.id), reasonOf(attributes).destination]);
}

/** The event as it was before delivery failed: what a replay publishes again. */
export function originalEvent(attributes: Record<string, unknown>): Record<string, unknown> {
  const original = { ...attributes };
  for (const name of ERROR_EXTENSIONS) delete original[name];
  return original;
}

export interface LetterQuery {
  pendingOnly: boolean;
  /** letters after this id, in id order */
  after: number;
  limit: number;
}

export const MAX_PAGE = 500;

const wholeNumber = (text: unknown, fallback: number): number =>
  text === undefined ? fallback : /^\d{1,15}$/.test(String(text)) ? Number(text) : NaN;

/** Reads the letter id of `/dead-letters/:letterId/replay`; returns it or why it is refused. */
export function parseLetterId(text: string): number | { error: string } {
  const letterId = wholeNumber(text, NaN);
  return Number.isNaN(letterId)
    ? { error: 'letterId must be a letter id (a whole number)' }
    : letterId;
}

/** Reads `GET /dead-letters?pending=&after=&limit=`; returns the query or why it is refused. */
export function parseLetterQuery(query: Record<string, unknown>): LetterQuery | { error: string } {
  const after = wholeNumber(query.after, 0);
  const limit = wholeNumber(query.limit, MAX_PAGE);
  if (Number.isNaN(after)) return { error: 'after must be a letter id (a whole number)' };
  if (Number.isNaN(limit) || limit < 1 || limit > MAX_PAGE)
    return { error: `limit must be a whole number from 1 to ${MAX_PAGE}` };
  return { pendingOnly: query.pending !== 'false', after, limit };
}
