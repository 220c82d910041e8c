import { binaryMessage, eventFromHttp, InvalidEventError } from './cloudevent-http';

const required = { 'ce-specversion': '1.0', 'ce-id': 'e-1', 'ce-source': '/s', 'ce-type': 't' };

describe('CloudEvent HTTP codec', () => {
  it('given a binary-mode JSON event with an extension, when read and written again, then headers and body survive', () => {
    const event = eventFromHttp(
      { ...required, 'ce-partitionkey': 'k-1', 'content-type': 'application/json' },
      '{"n":1}',
    );
    expect(event.data).toEqual({ n: 1 });
    expect(event.partitionkey).toBe('k-1');
    const message = binaryMessage(event);
    expect(message.headers).toMatchObject({ ...required, 'ce-partitionkey': 'k-1' });
    expect(message.headers['content-type']).toBe('application/json');
    expect(message.headers['ce-data']).toBeUndefined();
    expect(message.body.toString()).toBe('{"n":1}');
  });

  it('given text data, when written, then the body is the text itself', () => {
    const event = eventFromHttp({ ...required, 'content-type': 'text/plain' }, 'hello');
    expect(event.data).toBe('hello');
    expect(binaryMessage(event).body.toString()).toBe('hello');
  });

  it('given a structured-mode event with data_base64, when dispatched in binary mode, then the body is the decoded bytes', () => {
    const event = eventFromHttp(
      { 'content-type': 'application/cloudevents+json' },
      JSON.stringify({
        specversion: '1.0',
        id: 'e-2',
        source: '/s',
        type: 't',
        datacontenttype: 'application/octet-stream',
        data_base64: Buffer.from([1, 2, 3]).toString('base64'),
      }),
    );
    const message = binaryMessage(event);
    expect(message.headers['content-type']).toBe('application/octet-stream');
    expect([...message.body]).toEqual([1, 2, 3]);
  });

  it('given an event without data, when written, then the body is empty', () => {
    expect(binaryMessage(eventFromHttp(required, '')).body).toHaveLength(0);
  });

  it('given an invalid extension name, when read, then it is refused naming the attribute', () => {
    expect(() => eventFromHttp({ ...required, 'ce-bad_name': 'x' }, '')).toThrow(
      new InvalidEventError('invalid attribute name "bad_name"'),
    );
  });
});
