import fc from 'fast-check';

/** Body limit of every handler in the system under test: oversized bodies stay cheap to send. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Strings that break parsers, databases and headers: NUL and the other controls, lone
 * surrogates, bidirectional overrides, noncharacters, a BOM, astral characters, and a few
 * spellings of nothing.
 */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udc00y',
    '\u202eevil\u202c',
    '\u200f\u05d0\u05d1',
    '\ufeff',
    '\uffff',
    '\ufdd0',
    '\u2028\u2029',
    'e\u0301\u0301\u0301',
    '🚀'.repeat(3),
    '\t\r\n',
    '\u007f\u0085',
    '%00',
    '%ED%A0%80',
    '../../etc/passwd',
    "'; DROP TABLE x; --",
    '__proto__',
    'null',
    '0x7fffffff',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer({ min: 200, max: 20_000 }).map((n) => 'x'.repeat(n)),
);

/**
 * Numbers past every bound a field may have, and the ones JSON cannot spell as JavaScript reads
 * them (a placeholder for raw number text, see jsonText).
 */
export const hostileNumber: fc.Arbitrary<number | RawJson> = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    -0,
    0.5,
    1.5,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_VALUE,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    1e21,
    1e15 + 1,
    1_000_000_001,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom('1e999', '-1e999', '123456789012345678901234567890', '-0.0e-0').map(rawJson),
);

/** JSON text written where a value goes, as is: numbers JSON.stringify cannot produce. */
export interface RawJson {
  raw: string;
}
export function rawJson(raw: string): RawJson {
  return { raw };
}
const isRaw = (value: unknown): value is RawJson =>
  typeof value === 'object' && value !== null && 'raw' in value && Object.keys(value).length === 1;

/** The JSON text of a value holding RawJson placeholders. */
export function jsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!isRaw(v)) return v;
    raws.push(v.raw);
    return `\u0000raw${raws.length - 1}\u0000`;
  });
  return text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)] as string);
}

/** Any value of the wrong kind, huge or nested. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.constantFrom(null, true, false, [], {}, [[[]]], { '': {} }),
  fc.array(hostileString, { maxLength: 5 }),
  fc.integer({ min: 1_000, max: 6_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Names an extra field may have. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', '', 'extra', '\u0000', '\ud800', '🚀'),
  fc.string({ maxLength: 12 }),
);

type Path = Array<string | number>;

/** Every path into a JSON value, the value itself first. */
export function pathsOf(value: unknown, at: Path = []): Path[] {
  const paths: Path[] = [at];
  if (Array.isArray(value)) value.forEach((v, i) => paths.push(...pathsOf(v, [...at, i])));
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) paths.push(...pathsOf(v, [...at, k]));
  return paths;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function parentOf(root: unknown, path: Path): Record<string | number, unknown> {
  let node = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  return node;
}

/** The field names a refusal of a change at `path` may name: the nearest named ones. */
export function namesAt(path: Path): string[] {
  return path.filter((step): step is string => typeof step === 'string').slice(-2);
}

export interface Mutated {
  value: unknown;
  /** what a refusal must name; empty when the whole value was replaced */
  names: string[];
  what: string;
}

/** The node at `path` of `root`. */
function nodeAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((n, step) => (n as Record<string | number, unknown>)[step], root);
}

/** One change to a valid JSON value: a field removed, of the wrong kind, one too many, many more. */
export function mutationOf(valid: unknown): fc.Arbitrary<Mutated> {
  const paths = pathsOf(valid);
  const fields = paths.filter((p) => p.length > 0);
  const objects = paths.filter((p) => {
    const node = nodeAt(valid, p);
    return typeof node === 'object' && node !== null && !Array.isArray(node);
  });
  const lists = paths.filter((p) => {
    const node = nodeAt(valid, p);
    return Array.isArray(node) && node.length > 0;
  });
  const replaced = fc
    .record({ path: fc.constantFrom(...paths), replacement: hostileValue })
    .map(({ path, replacement }): Mutated => {
      if (path.length === 0) return { value: replacement, names: [], what: 'body replaced' };
      const value = clone(valid);
      parentOf(value, path)[path.at(-1) as string] = replacement;
      return { value, names: namesAt(path), what: `${path.join('.')} replaced` };
    });
  const removed = (candidates: Path[]) =>
    fc.constantFrom(...candidates).map((path): Mutated => {
      const value = clone(valid);
      const parent = parentOf(value, path);
      const last = path.at(-1) as string | number;
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
      return { value, names: namesAt(path), what: `${path.join('.')} removed` };
    });
  const extra = (candidates: Path[]) =>
    fc
      .record({ path: fc.constantFrom(...candidates), key: hostileKey, extra: hostileValue })
      .map(({ path, key, extra }): Mutated => {
        const value = clone(valid);
        // defineProperty: an assignment to "__proto__" would set the prototype, not a field
        Object.defineProperty(nodeAt(value, path), key, {
          value: extra,
          enumerable: true,
          configurable: true,
        });
        return { value, names: [key, ...namesAt(path)], what: `extra ${key} at ${path.join('.')}` };
      });
  const grown = (candidates: Path[]) =>
    fc
      .record({
        path: fc.constantFrom(...candidates),
        copies: fc.integer({ min: 100, max: 3_000 }),
      })
      .map(({ path, copies }): Mutated => {
        const value = clone(valid);
        const list = nodeAt(value, path) as unknown[];
        list.push(...Array.from({ length: copies }, () => clone(list[0])));
        return { value, names: namesAt(path), what: `${path.join('.')} × ${copies}` };
      });
  return fc.oneof(
    replaced,
    ...(fields.length > 0 ? [removed(fields)] : []),
    ...(objects.length > 0 ? [extra(objects)] : []),
    ...(lists.length > 0 ? [grown(lists)] : []),
  );
}

/** JSON that does not parse, spelled as clients get it wrong. */
export function malformedJson(validText: string): fc.Arbitrary<Buffer> {
  return fc.oneof(
    fc
      .integer({ min: 1, max: Math.max(1, validText.length - 1) })
      .map((n) => Buffer.from(validText.slice(0, n))),
    fc
      .constantFrom('}', ',', ']', 'x', '\u0000', '{}')
      .map((tail) => Buffer.from(validText + tail)),
    fc
      .constantFrom(
        "{'a': 1}",
        '{"a": NaN}',
        '{"a": 1,}',
        '{"a": 1 /* c */}',
        '{"a": undefined}',
        '{"a":"\\ud800\\u"}',
        '{"a": 0x10}',
        '[',
        '"',
        '{"a": "b"',
        '\ufeff{}garbage',
      )
      .map((text) => Buffer.from(text)),
    fc
      .uint8Array({ minLength: 1, maxLength: 64 })
      .map((bytes) => Buffer.concat([Buffer.from('{"a":"'), Buffer.from(bytes), Buffer.from('"')])),
  );
}

/** Content types an edge route must not read as JSON (or reads as JSON while it is not). */
export const wrongContentType: fc.Arbitrary<string | undefined> = fc.constantFrom(
  undefined,
  '',
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'application/json; charset=iso-8859-1',
  'application/json; charset=nope',
  'application/cloudevents+json',
  'application/json, text/plain',
  'json',
  '*/*',
  'application/\u00e9json',
);

/** A body over the handlers' limit. */
export const oversizedBody: fc.Arbitrary<Buffer> = fc
  .integer({ min: BODY_LIMIT_BYTES + 1, max: BODY_LIMIT_BYTES * 2 })
  .map((n) => Buffer.from(`{"a":"${'x'.repeat(n)}"}`));

/**
 * Header values that smuggle a second header or a line break into the head, or that the HTTP
 * parser must refuse: bare CR or LF, NUL, a header folded onto the next line.
 */
export const injectedHeaderValue: fc.Arbitrary<string> = fc.constantFrom(
  'a\r\nx-injected: 1',
  'a\r\ncontent-length: 0',
  'a\r\ntransfer-encoding: chunked',
  'a\r\nidempotency-key: injected',
  'a\r\nce-id: injected',
  'a\rb',
  'a\nb',
  'a\u0000b',
  'a\r\n folded',
  'a\r\n\r\n{"smuggled":true}',
);

/**
 * Words a refusal of a request with an injected header may name besides the header: the framing
 * headers a smuggled line duplicates, the body a smuggled blank line cuts off, and the method of
 * the "request" that blank line starts in what was the head.
 */
export const INJECTION_NAMES = [
  'content-length',
  'transfer-encoding',
  'idempotency-key',
  'json',
  'body',
  'chunk',
  'method',
  // a CloudEvent endpoint names the body it lost as the event's data
  'data',
];

/** A header value as it goes into a raw request head: a string's UTF-8 bytes, one per char. */
export const asHeaderBytes = (value: string) => Buffer.from(value, 'utf8').toString('latin1');
