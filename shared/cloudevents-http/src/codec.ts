import { CloudEvent } from 'cloudevents';

export type Event = CloudEvent<unknown>;

/** A CloudEvent that cannot be accepted; `reason` is what the sender is told (HTTP 400). */
export class InvalidEventError extends Error {
  readonly statusCode = 400;
}

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

const REQUIRED = ['specversion', 'id', 'source', 'type'];
/** The string attributes of CloudEvents 1.0, in the order their problems are reported. */
const STRING_ATTRIBUTES = [
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
];
const NON_EMPTY = new Set(['id', 'source', 'type']);
// CloudEvents extension names are lower-case letters and digits only.
const ATTRIBUTE_NAME = /^(data_base64|[a-z0-9]+)$/;

/**
 * What the CloudEvents type system (spec 1.0.2, "Type System", String) disallows in a String:
 * the control characters U+0000–U+001F and U+007F–U+009F, Unicode's noncharacters (U+FDD0–U+FDEF
 * and the last two code points of every plane), and surrogates not used properly in pairs.
 */
const DISALLOWED = new RegExp(
  `[\\u0000-\\u001f\\u007f-\\u009f\\ufdd0-\\ufdef${Array.from({ length: 17 }, (_, plane) => {
    const last = (plane << 16) | 0xfffe;
    return `\\u{${last.toString(16)}}\\u{${(last + 1).toString(16)}}`;
  }).join('')}]`,
  'u',
);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Anything but printable ASCII: a value without it is a legal String and a legal header as is. */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;

/** Why a value is not a CloudEvents String, naming the first offending code point; none if it is one. */
export function stringProblem(value: string): string | undefined {
  if (!NOT_PRINTABLE_ASCII.test(value)) return undefined;
  if (LONE_SURROGATE.test(value)) return 'has a surrogate not in a pair';
  const found = DISALLOWED.exec(value);
  if (!found) return undefined;
  const code = (found[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
  return `has U+${code}, which a CloudEvents String may not contain`;
}

/** A media type with its parameters: it travels as the Content-Type header, which has no escaping. */
const MEDIA_TYPE = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(?:\s*;[\x20-\x7e]*)?$/;

/** The type system's Integer: a signed 32-bit whole number. */
const isInteger = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31;

/**
 * Every reason the attributes are not a CloudEvent 1.0, worded as JSON Schema validators word
 * them; none when they are one. Written out rather than compiled from a JSON Schema, because
 * compiling one is work every handler's cold start would pay (BENCHMARKS.md).
 */
function attributeProblems(attributes: Record<string, unknown>): string[] {
  const problems = REQUIRED.filter((name) => attributes[name] === undefined).map(
    (name) => `missing required attribute "${name}"`,
  );
  for (const name of Object.keys(attributes)) {
    if (!ATTRIBUTE_NAME.test(name)) problems.push(`invalid attribute name "${name}"`);
    const value = attributes[name];
    if (typeof value === 'string') {
      const problem = stringProblem(value);
      if (problem) problems.push(`${name} ${problem}`);
    } else if (
      !STRING_ATTRIBUTES.includes(name) &&
      !(value === null || typeof value === 'boolean' || isInteger(value))
    ) {
      // The type system's Boolean and Integer travel as their canonical strings; nothing else is an
      // attribute value.
      problems.push(`${name} must be a string, an integer or a boolean`);
    }
  }
  if (attributes.specversion !== undefined && attributes.specversion !== '1.0') {
    problems.push('specversion must be "1.0"');
  }
  for (const name of STRING_ATTRIBUTES) {
    const value = attributes[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') problems.push(`${name} must be string`);
    else if (value.length === 0 && NON_EMPTY.has(name)) {
      problems.push(`${name} must NOT have fewer than 1 characters`);
    } else if (name === 'time' && Number.isNaN(Date.parse(value))) {
      problems.push('time must match format "date-time"');
    } else if (name === 'datacontenttype' && !MEDIA_TYPE.test(value)) {
      problems.push('datacontenttype must be a media type (RFC 2046), such as application/json');
    }
  }
  return problems;
}

/** The message itself if its attributes are a CloudEvent's; an InvalidEventError naming each problem if not. */
export function validMessage(message: EventMessage): EventMessage {
  const problems = attributeProblems(message.attributes);
  if (problems.length > 0) throw new InvalidEventError(problems.join('; '));
  return message;
}

function header(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The HTTP binding's header values (CloudEvents HTTP binding 3.1.3.2): a character outside
 * printable ASCII and space, and `"` and `%`, travel as the percent-encoded bytes of its UTF-8.
 * Written raw, a value such as "✓" is not a legal header at all.
 */
const NEEDS_ENCODING = /[^\x20-\x7e]|["%]/;
const ENCODED = /[^\x20-\x7e]|["%]/gu;

function encodeHeaderValue(value: string): string {
  if (!NEEDS_ENCODING.test(value)) return value;
  return value.replace(ENCODED, (char) =>
    [...Buffer.from(char, 'utf8')]
      .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Node hands a header's bytes over one character per byte (latin1). Senders that write attribute
 * values raw instead of percent-encoding them, as sdk-go and sdk-java do
 * (cloudevents/sdk-go#1331), put UTF-8 there: read as latin1, "✓" would become "â\u009c\u0093".
 * Raw bytes are read as UTF-8 when they are UTF-8, and otherwise as the ISO-8859-1 that HTTP
 * historically defined for them (what an HTTP client writes for a latin1 string such as "é").
 */
const RAW_OCTET = /[\x80-\xff]/;
const BEYOND_LATIN1 = /[\u0100-\uffff]/;

function rawOctetsAsUtf8(value: string): string {
  if (!RAW_OCTET.test(value) || BEYOND_LATIN1.test(value)) return value;
  try {
    return UTF8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}

/** A run of percent-escapes: the bytes of one or more UTF-8 characters. */
const ESCAPES = /(?:%[0-9A-Fa-f]{2})+/g;

function decodeHeaderValue(name: string, raw: string): string {
  const value = rawOctetsAsUtf8(raw);
  if (!value.includes('%')) return value;
  try {
    return value.replace(ESCAPES, (run) =>
      UTF8.decode(Uint8Array.from(run.slice(1).split('%'), (hex) => Number.parseInt(hex, 16))),
    );
  } catch {
    throw new InvalidEventError(`header ${name} is not percent-encoded UTF-8`);
  }
}

const isJson = (contentType: string) => contentType.includes('json');

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidEventError(`malformed JSON ${what}: ${(err as Error).message}`);
  }
}

/**
 * A CloudEvent as the broker carries it, in binary content mode: its attributes (extensions and
 * `datacontenttype` included) as strings, its data as bytes. The broker never decodes data on its
 * hot path; like Knative's dispatcher it forwards the bytes it was given.
 */
export interface EventMessage {
  attributes: Record<string, string>;
  body: Buffer;
}

interface HttpEvent {
  mode: 'binary' | 'structured';
  attributes: Record<string, unknown>;
  data: unknown;
}

/** Reads and validates the event's attributes and data from a request or response. */
function readHttp(
  headers: Record<string, string | string[] | undefined>,
  body: Buffer | string,
  decodeData: boolean,
): HttpEvent {
  const contentType = header(headers, 'content-type') ?? '';
  if (contentType.startsWith(BATCH))
    throw new InvalidEventError(`content-type ${BATCH}: batched CloudEvents are not supported`);
  let read: HttpEvent;
  if (contentType.startsWith(STRUCTURED)) {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    const parsed = parseJson(text, 'in structured CloudEvent');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new InvalidEventError('structured CloudEvent must be a JSON object');
    }
    const { data, ...attributes } = parsed as Record<string, unknown>;
    read = { mode: 'structured', attributes, data };
  } else {
    if (header(headers, 'ce-specversion') === undefined) {
      throw new InvalidEventError(
        `not a CloudEvent: no ce-specversion header (binary mode) and content-type is not ${STRUCTURED} (structured mode)`,
      );
    }
    const attributes: Record<string, unknown> = {};
    for (const name in headers) {
      if (name.startsWith('ce-'))
        attributes[name.slice(3)] = decodeHeaderValue(name, header(headers, name) as string);
    }
    if (contentType) attributes.datacontenttype = contentType;
    const text = decodeData && typeof body !== 'string' ? body.toString('utf8') : body;
    const data =
      !decodeData || text.length === 0
        ? undefined
        : isJson(contentType)
          ? parseJson(text as string, 'data')
          : text;
    read = { mode: 'binary', attributes, data };
  }
  const problems = attributeProblems(read.attributes);
  if (problems.length > 0) throw new InvalidEventError(problems.join('; '));
  return read;
}

/**
 * Reads a CloudEvent in binary or structured mode. Stricter than the SDK's reader, which accepts
 * any specversion and silently drops events without an id: every rejection names its reason. Also
 * cheaper: the SDK's reader allocates an Error (with its stack) per event even when the event is
 * valid, measured as the largest single cost of the broker's hot path.
 */
export function eventFromHttp(
  headers: Record<string, string | string[] | undefined>,
  body: Buffer | string,
): Event {
  const { attributes, data } = readHttp(headers, body, true);
  return new CloudEvent(data === undefined ? attributes : { ...attributes, data }, false) as Event;
}

/**
 * Reads a CloudEvent as the broker carries it: attributes validated as the spec requires, a
 * binary-mode body kept byte for byte and never parsed. Data is opaque to a broker; whether it is
 * valid is for the handler owning the type to say (a 400 there, dead-lettered).
 */
export function messageFromHttp(
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): EventMessage {
  const { mode, attributes, data } = readHttp(headers, body, false);
  if (mode === 'binary') return { attributes: attributes as Record<string, string>, body };
  return messageOf({ ...attributes, data });
}

const NOT_ATTRIBUTES = new Set(['data', 'data_base64']);

/** The broker's form of an event built in code, or of its JSON form (as an outbox stores it). */
export function messageOf(event: Event | Record<string, unknown>): EventMessage {
  const attributes: Record<string, string> = {};
  const properties = event as Record<string, unknown>;
  for (const name of Object.keys(properties)) {
    const value = properties[name];
    if (value !== undefined && value !== null && !NOT_ATTRIBUTES.has(name))
      attributes[name] = String(value);
  }
  const contentType = attributes.datacontenttype ?? 'application/json';
  return { attributes, body: dataBytes(properties.data, properties.data_base64, contentType) };
}

/** An attribute a message carries that no CloudEvent may: it cannot be written as a header. */
export class UnwritableAttributeError extends Error {
  constructor(
    readonly attribute: string,
    problem: string,
  ) {
    super(`attribute "${attribute}" cannot be written: ${problem}`);
  }
}

/** Why an attribute cannot be written as a binary-mode header; none if it can. */
export function unwritable(name: string, value: string): string | undefined {
  if (!ATTRIBUTE_NAME.test(name) || name === 'data_base64')
    return 'not a CloudEvents attribute name (lower-case letters and digits)';
  if (name === 'datacontenttype' && !MEDIA_TYPE.test(value))
    return 'not a media type, which the Content-Type header must carry as is';
  return stringProblem(value);
}

/**
 * Binary-mode HTTP headers of a message, as Knative dispatches it. Throws an
 * UnwritableAttributeError rather than write a header that is illegal or reads back differently.
 */
export function httpHeadersOf(message: EventMessage): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': message.attributes.datacontenttype ?? 'application/json',
  };
  for (const name in message.attributes) {
    const value = message.attributes[name] as string;
    const problem = unwritable(name, value);
    if (problem) throw new UnwritableAttributeError(name, problem);
    if (name !== 'datacontenttype') headers[`ce-${name}`] = encodeHeaderValue(value);
  }
  return headers;
}

/** The message without the attributes it cannot be written with, and what each one's problem is. */
export function writablePart(message: EventMessage): {
  message: EventMessage;
  problems: string[];
} {
  const attributes: Record<string, string> = {};
  const problems: string[] = [];
  for (const name in message.attributes) {
    const value = message.attributes[name] as string;
    const problem = unwritable(name, value);
    if (problem) problems.push(new UnwritableAttributeError(name, problem).message);
    else attributes[name] = value;
  }
  return {
    message: problems.length === 0 ? message : { attributes, body: message.body },
    problems,
  };
}

function dataBytes(data: unknown, base64: unknown, contentType: string): Buffer {
  if (typeof base64 === 'string') return Buffer.from(base64, 'base64');
  if (data === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string' && !isJson(contentType)) return Buffer.from(data);
  return Buffer.from(JSON.stringify(data));
}

/** The message with extra extension attributes set. */
export function withExtensions(
  message: EventMessage,
  extensions: Record<string, string>,
): EventMessage {
  return { attributes: { ...message.attributes, ...extensions }, body: message.body };
}

export { CloudEvent };
