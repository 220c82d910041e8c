import { CloudEvent, HTTP } from 'cloudevents';
import Ajv from 'ajv';

export type Event = CloudEvent<unknown>;

/** A CloudEvent that cannot be accepted; `reason` is what the sender is told (HTTP 400). */
export class InvalidEventError extends Error {
  readonly statusCode = 400;
}

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

const attributesSchema = {
  type: 'object',
  required: ['specversion', 'id', 'source', 'type'],
  properties: {
    specversion: { const: '1.0' },
    id: { type: 'string', minLength: 1 },
    source: { type: 'string', minLength: 1 },
    type: { type: 'string', minLength: 1 },
    subject: { type: 'string' },
    time: { type: 'string', format: 'date-time' },
    datacontenttype: { type: 'string' },
    dataschema: { type: 'string' },
  },
  // CloudEvents extension names are lower-case letters and digits only.
  propertyNames: { pattern: '^(data_base64|[a-z0-9]+)$' },
};
const ajv = new Ajv({ allErrors: true });
ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
const validateAttributes = ajv.compile(attributesSchema);

function explain(): string {
  return (validateAttributes.errors ?? [])
    .map((e) => {
      const where = e.instancePath ? e.instancePath.slice(1) : 'event';
      if (e.keyword === 'required')
        return `missing required attribute "${String(e.params.missingProperty)}"`;
      if (e.keyword === 'const') return `${where} must be "1.0"`;
      if (e.keyword === 'propertyNames')
        return `invalid attribute name "${String(e.params.propertyName)}"`;
      return `${where} ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}

function header(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function attributesOf(
  headers: Record<string, string | string[] | undefined>,
  body: string,
): Record<string, unknown> {
  const contentType = header(headers, 'content-type') ?? '';
  if (contentType.startsWith(BATCH))
    throw new InvalidEventError('batched CloudEvents are not supported');
  if (contentType.startsWith(STRUCTURED)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      throw new InvalidEventError(
        `malformed JSON in structured CloudEvent: ${(err as Error).message}`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new InvalidEventError('structured CloudEvent must be a JSON object');
    }
    const { data: _data, ...attributes } = parsed as Record<string, unknown>;
    return attributes;
  }
  if (header(headers, 'ce-specversion') === undefined) {
    throw new InvalidEventError(
      `not a CloudEvent: no ce-specversion header (binary mode) and content-type is not ${STRUCTURED} (structured mode)`,
    );
  }
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('ce-')) attributes[name.slice(3)] = Array.isArray(value) ? value[0] : value;
  }
  if (contentType) attributes.datacontenttype = contentType;
  if (contentType.includes('json') && body.length > 0) {
    try {
      JSON.parse(body);
    } catch (err) {
      throw new InvalidEventError(`malformed JSON data: ${(err as Error).message}`);
    }
  }
  return attributes;
}

/**
 * Reads a CloudEvent in binary or structured mode. Stricter than the SDK, which accepts any
 * specversion and silently drops events without an id: every rejection names its reason.
 */
export function eventFromHttp(
  headers: Record<string, string | string[] | undefined>,
  body: Buffer | string,
): Event {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const attributes = attributesOf(headers, text);
  if (!validateAttributes(attributes)) throw new InvalidEventError(explain());
  try {
    return HTTP.toEvent({ headers, body: text }) as Event;
  } catch (err) {
    throw new InvalidEventError(`invalid CloudEvent: ${(err as Error).message}`);
  }
}

/** Binary-mode HTTP headers and body for an event, as Knative dispatches it. */
export function binaryMessage(event: Event): { headers: Record<string, string>; body: string } {
  const message = HTTP.binary(event);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers[name] = String(value);
  }
  return { headers, body: message.body === undefined ? '' : String(message.body) };
}

/** The event with extra extension attributes set. */
export function withExtensions(event: Event, extensions: Record<string, string>): Event {
  return event.cloneWith(extensions, false) as Event;
}

export { CloudEvent };
