import { letterDeliveryId, originalEvent, reasonOf } from './dead-letter';

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
});
