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
    response: typeof data === 'string' ? Buffer.from(data, 'base64').toString('utf8') : null,
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
