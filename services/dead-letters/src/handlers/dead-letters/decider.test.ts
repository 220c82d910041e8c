import { deciderSpec } from '@eventline/eventstore';
import { HandlerError } from '@eventline/kit';
import { deadLettersDecider, type LetterCommand, type LetterEvent } from './decider';

const spec = deciderSpec(deadLettersDecider);
const original = { specversion: '1.0', id: 'e-1', source: '/s', type: 't' };
const event = {
  ...original,
  knativeerrordest: 'http://handler/',
  knativeerrorcode: '503',
  knativeerrordata: Buffer.from('database down').toString('base64'),
};
const filed: LetterEvent = {
  type: 'LetterFiled',
  data: {
    event,
    reason: { destination: 'http://handler/', status: 503, response: 'database down' },
  },
};
const replay: LetterCommand = {
  type: 'ReplayLetter',
  data: { letterId: 7, at: '2026-01-02T03:04:05.000Z' },
};
const replayed: LetterEvent = {
  type: 'LetterReplayed',
  data: {
    letterId: 7,
    at: '2026-01-02T03:04:05.000Z',
    original,
    deliveryId: JSON.stringify(['e-1', 'http://handler/']),
  },
};
const kind = (expected: string) => (err: unknown) =>
  err instanceof HandlerError && err.kind === expected;

describe('dead letters', () => {
  it('given an undeliverable event, when filed, then the letter keeps it with the reason', () => {
    spec.given([]).when({ type: 'FileLetter', data: { event } }).then([filed]);
  });

  it('given a pending letter, when replayed, then the original event goes out again under its own id', () => {
    spec.given([filed]).when(replay).then([replayed]);
  });

  it('given a letter replayed already, when replayed again, then it is refused as a conflict', () => {
    spec.given([filed, replayed]).when(replay).thenThrows(kind('conflict'));
  });

  it('given no such letter, when replayed, then it is not found', () => {
    spec.given([]).when(replay).thenThrows(kind('not-found'));
  });
});
