import {
  eventFromHttp,
  httpHeadersOf,
  InvalidEventError,
  messageFromHttp,
  messageOf,
  UnwritableAttributeError,
  withExtensions,
  writablePart,
} from './codec';

const required = { 'ce-specversion': '1.0', 'ce-id': 'e-1', 'ce-source': '/s', 'ce-type': 't' };

/** A structured-mode request's event, read as a message; `fields` add to or replace the required. */
const structuredMessage = (fields: Record<string, unknown>) =>
  messageFromHttp(
    { 'content-type': 'application/cloudevents+json' },
    Buffer.from(JSON.stringify({ specversion: '1.0', source: '/s', type: 't', ...fields })),
  );

describe('CloudEvent HTTP codec', () => {
  it('given a binary-mode JSON event with an extension, when read and written again, then headers and body survive', () => {
    const event = eventFromHttp(
      { ...required, 'ce-partitionkey': 'k-1', 'content-type': 'application/json' },
      '{"n":1}',
    );
    expect(event.data).toEqual({ n: 1 });
    expect(event.partitionkey).toBe('k-1');
    const message = messageOf(event);
    const headers = httpHeadersOf(message);
    expect(headers).toMatchObject({ ...required, 'ce-partitionkey': 'k-1' });
    expect(headers['content-type']).toBe('application/json');
    expect(headers['ce-data']).toBeUndefined();
    expect(message.body.toString()).toBe('{"n":1}');
  });

  it('given text data, when written, then the body is the text itself', () => {
    const event = eventFromHttp({ ...required, 'content-type': 'text/plain' }, 'hello');
    expect(event.data).toBe('hello');
    expect(messageOf(event).body.toString()).toBe('hello');
  });

  it('given a structured-mode event with data_base64, when read as a message, then the body is the decoded bytes', () => {
    const message = structuredMessage({
      id: 'e-2',
      seq: 7,
      datacontenttype: 'application/octet-stream',
      data_base64: Buffer.from([1, 2, 3]).toString('base64'),
    });
    expect(httpHeadersOf(message)['content-type']).toBe('application/octet-stream');
    expect(message.attributes).toMatchObject({ id: 'e-2', seq: '7' });
    expect(message.attributes.data_base64).toBeUndefined();
    expect([...message.body]).toEqual([1, 2, 3]);
  });

  it('given a structured-mode JSON event, when read as a message, then its data becomes the JSON body', () => {
    const message = structuredMessage({ id: 'e-3', data: { a: [1] } });
    expect(JSON.parse(message.body.toString())).toEqual({ a: [1] });
    expect(httpHeadersOf(message)['content-type']).toBe('application/json');
  });

  it('given a binary-mode event, when read as a message, then its body is forwarded byte for byte', () => {
    const body = Buffer.from('{ "spaced" :  true }');
    const message = messageFromHttp({ ...required, 'content-type': 'application/json' }, body);
    expect(message.body).toBe(body);
    expect(message.attributes).toEqual({
      specversion: '1.0',
      id: 'e-1',
      source: '/s',
      type: 't',
      datacontenttype: 'application/json',
    });
  });

  it('given malformed JSON data in binary mode, when read as a message, then its bytes are kept unparsed; read as an event, it is refused with the reason', () => {
    const body = Buffer.from('{nope');
    const headers = { ...required, 'content-type': 'application/json' };
    expect(messageFromHttp(headers, body).body).toBe(body);
    expect(() => eventFromHttp(headers, body)).toThrow(/malformed JSON data/);
  });

  it.each([
    ['a control character', 'a\u0001b', 'subject has U+0001'],
    ['a C1 control character', 'a\u0085', 'subject has U+0085'],
    ['a noncharacter', '\ufdd0', 'subject has U+FDD0'],
    ['a plane-end noncharacter', '\u{10ffff}', 'subject has U+10FFFF'],
    ['a lone high surrogate', 'x\ud800', 'subject has a surrogate not in a pair'],
    ['a lone low surrogate', '\udead', 'subject has a surrogate not in a pair'],
  ])(
    'given a structured event whose subject has %s, when read, then it is refused naming the attribute',
    (_, subject, reason) => {
      expect(() => structuredMessage({ id: 'e-x', subject })).toThrow(reason);
    },
  );

  it('given a surrogate pair, a private-use and the last legal code point, when read, then each is a legal String', () => {
    const subject = '\ud83d\ude00 \ue000 \u{10fffd}';
    expect(structuredMessage({ id: 'e-ok', subject }).attributes.subject).toBe(subject);
  });

  it.each([
    [
      'an object extension value',
      { ext: { a: 1 } },
      'ext must be a string, an integer or a boolean',
    ],
    [
      'an integer beyond 32 bits',
      { ext: 2 ** 31 },
      'ext must be a string, an integer or a boolean',
    ],
    [
      'a datacontenttype that is not a media type',
      { datacontenttype: 'json \u2713' },
      'datacontenttype must be a media type',
    ],
  ])('given %s, when read, then it is refused naming the attribute', (_, extra, reason) => {
    expect(() => structuredMessage({ id: 'e-y', ...extra })).toThrow(reason);
  });

  it('given a binary-mode header that decodes to a control character, when read, then it is refused naming the attribute', () => {
    expect(() => messageFromHttp({ ...required, 'ce-subject': 'a%0Ab' }, Buffer.alloc(0))).toThrow(
      'subject has U+000A',
    );
  });

  it('given a message built in code with an attribute no header can carry, when written, then an UnwritableAttributeError names it; its writable part leaves it out and says why', () => {
    const attributes = { specversion: '1.0', id: 'e-1', source: '/s', type: 't' };
    const message = {
      attributes: { ...attributes, 'bad name': 'x', subject: 'a\u0000' },
      body: Buffer.alloc(0),
    };
    expect(() => httpHeadersOf(message)).toThrow(UnwritableAttributeError);
    const { message: writable, problems } = writablePart(message);
    expect(Object.keys(writable.attributes).sort()).toEqual([
      'id',
      'source',
      'specversion',
      'type',
    ]);
    expect(problems).toEqual([
      expect.stringContaining('"bad name"'),
      expect.stringContaining('"subject" cannot be written: has U+0000'),
    ]);
  });

  it('given a message, when extensions are added, then the original is unchanged', () => {
    const message = messageFromHttp(required, Buffer.alloc(0));
    const letter = withExtensions(message, { knativeerrorcode: '500' });
    expect(letter.attributes.knativeerrorcode).toBe('500');
    expect(message.attributes.knativeerrorcode).toBeUndefined();
  });

  it('given an event without data, when written, then the body is empty', () => {
    expect(messageOf(eventFromHttp(required, '')).body).toHaveLength(0);
  });

  it('given a structured event with several problems, when read, then each is named, in order', () => {
    expect(() =>
      messageFromHttp(
        { 'content-type': 'application/cloudevents+json' },
        Buffer.from(
          JSON.stringify({ specversion: '0.3', id: '', type: 7, time: 'later', Bad: 'x' }),
        ),
      ),
    ).toThrow(
      new InvalidEventError(
        'missing required attribute "source"; invalid attribute name "Bad"; ' +
          'specversion must be "1.0"; id must NOT have fewer than 1 characters; ' +
          'type must be string; time must match format "date-time"',
      ),
    );
  });

  it('given an invalid extension name, when read, then it is refused naming the attribute', () => {
    expect(() => eventFromHttp({ ...required, 'ce-bad_name': 'x' }, '')).toThrow(
      new InvalidEventError('invalid attribute name "bad_name"'),
    );
  });

  it('given attributes beyond printable ASCII, with quotes and percent signs, when written as headers, then they are percent-encoded UTF-8 that reads back as sent', () => {
    const subject = 'caf\u00e9 \u2713 "100%" \u{1F680} end';
    const message = structuredMessage({ id: 'e-u', subject, region: 'z\u00fcrich' });
    const headers = httpHeadersOf(message);
    expect(headers['ce-subject']).toBe('caf%C3%A9 %E2%9C%93 %22100%25%22 %F0%9F%9A%80 end');
    expect(headers['ce-region']).toBe('z%C3%BCrich');
    expect(headers['ce-id']).toBe('e-u');
    // Every header value is legal for HTTP: printable ASCII and spaces only.
    for (const value of Object.values(headers)) expect(value).toMatch(/^[\x20-\x7e]*$/);
    const read = eventFromHttp(headers, message.body);
    expect([read.subject, read.region]).toEqual([subject, 'z\u00fcrich']);
  });

  it('given a ce- header that is not percent-encoded UTF-8, when read, then it is refused naming the header', () => {
    expect(() => eventFromHttp({ ...required, 'ce-subject': '%FF%FE' }, '')).toThrow(
      new InvalidEventError('header ce-subject is not percent-encoded UTF-8'),
    );
  });

  it('given a lone percent sign a sender did not encode, when read, then it is kept as it came', () => {
    expect(eventFromHttp({ ...required, 'ce-subject': '50% off' }, '').subject).toBe('50% off');
  });

  it('given attribute values a sender wrote as raw UTF-8 bytes (sdk-go), when read, then they are the UTF-8 text it sent', () => {
    // Node hands header bytes over as latin1: one character per byte.
    const asNodeReadsIt = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
    const subject = 'checked \u2713 caf\u00e9 "100%" \u{1F680}';
    const event = eventFromHttp(
      {
        ...required,
        'ce-subject': asNodeReadsIt(subject),
        'ce-region': asNodeReadsIt('z\u00fcrich'),
      },
      '',
    );
    expect([event.subject, event.region]).toEqual([subject, 'z\u00fcrich']);
  });

  it('given a raw byte that is not UTF-8 (an HTTP client writing a latin1 string), when read, then it is the ISO-8859-1 character', () => {
    expect(eventFromHttp({ ...required, 'ce-subject': 'caf\xe9' }, '').subject).toBe('caf\u00e9');
  });
});
