import {
  MAX_PAGE,
  letterDeliveryId,
  originalEvent,
  parseLetterId,
  parseLetterQuery,
  reasonOf,
} from './dead-letter';

describe('dead letters', () => {
  const letter = {
    specversion: '1.0',
    id: 'e-1',
    source: '/s',
    type: 't',
    knativeerrordest: 'http://handler/',
    knativeerrorcode: '503',
    knativeerrordata: Buffer.from('{"error":"database down"}').toString('base64'),
  };

  it('given a dead-lettered event, when read, then the reason names destination, status and response', () => {
    expect(reasonOf(letter)).toEqual({
      destination: 'http://handler/',
      status: 503,
      response: '{"error":"database down"}',
    });
  });

  it('given a response holding NUL, when read, then it shows as U+FFFD and the rest as it came', () => {
    const data = Buffer.from('a\u0000b').toString('base64');
    expect(reasonOf({ ...letter, knativeerrordata: data }).response).toBe('a\ufffdb');
  });

  it('given a dead-lettered event, when prepared for replay, then the error extensions are gone and the id kept', () => {
    expect(originalEvent(letter)).toEqual({
      specversion: '1.0',
      id: 'e-1',
      source: '/s',
      type: 't',
    });
  });

  it('given one event dead-lettered by two subscribers, when identified, then the two letters differ and a redelivery of either does not', () => {
    const other = { ...letter, knativeerrordest: 'http://analytics/' };
    expect(letterDeliveryId(letter)).not.toBe(letterDeliveryId(other));
    expect(letterDeliveryId({ ...letter, knativeerrorcode: '500' })).toBe(letterDeliveryId(letter));
  });

  it('given an event without error extensions, when read, then every reason field is null', () => {
    expect(reasonOf({ id: 'x' })).toEqual({ destination: null, status: null, response: null });
  });

  it('given no parameters, when the listing is read, then it is the first page of pending letters', () => {
    expect(parseLetterQuery({})).toEqual({ pendingOnly: true, after: 0, limit: MAX_PAGE });
  });

  it('given a cursor and a page size, when read, then they are kept', () => {
    expect(parseLetterQuery({ pending: 'false', after: '41', limit: '10' })).toEqual({
      pendingOnly: false,
      after: 41,
      limit: 10,
    });
  });

  it.each([
    [{ after: '-1' }, 'after'],
    [{ after: 'x' }, 'after'],
    [{ limit: '0' }, 'limit'],
    [{ limit: String(MAX_PAGE + 1) }, 'limit'],
  ])('given %p, when read, then it is refused naming %s', (query, field) => {
    expect(parseLetterQuery(query)).toEqual({
      error: expect.stringMatching(new RegExp(`^${field}`)),
    });
  });

  it('given a letter id in the path, when read, then a whole number is kept and anything else refused naming letterId', () => {
    expect(parseLetterId('41')).toBe(41);
    expect(parseLetterId('x')).toEqual({ error: expect.stringMatching(/^letterId/) });
    expect(parseLetterId('-1')).toEqual({ error: expect.stringMatching(/^letterId/) });
  });
});
