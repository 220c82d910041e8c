import type { Decider } from '@eventline/eventstore';
import { conflict, notFound } from '@eventline/kit';
import {
  letterDeliveryId,
  originalEvent,
  reasonOf,
  type DeadLetterReason,
} from '../../domain/dead-letter';

type Attributes = Record<string, unknown>;

export interface Letter {
  event: Attributes;
  /** when it was replayed (ISO-8601), null while pending */
  replayedAt: string | null;
}

/** The letter a decision is about, null when there is none. */
export type LetterState = Letter | null;

type FileLetter = { type: 'FileLetter'; data: { event: Attributes } };
type ReplayLetter = { type: 'ReplayLetter'; data: { letterId: number; at: string } };
export type LetterCommand = FileLetter | ReplayLetter;

type LetterFiled = {
  type: 'LetterFiled';
  data: { event: Attributes; reason: DeadLetterReason };
};
type LetterReplayed = {
  type: 'LetterReplayed';
  data: { letterId: number; at: string; original: Attributes; deliveryId: string };
};
export type LetterEvent = LetterFiled | LetterReplayed;

/** Every undeliverable event is a letter, filed with why its delivery failed. */
export function fileLetter({ data: { event } }: FileLetter): [LetterFiled] {
  return [{ type: 'LetterFiled', data: { event, reason: reasonOf(event) } }];
}

/** A letter is replayed once: the event as it was before delivery failed goes out again. */
export function replayLetter(
  { data: { letterId, at } }: ReplayLetter,
  letter: LetterState,
): [LetterReplayed] {
  if (!letter) throw notFound(`no dead letter ${letterId}`);
  // A second replay would publish the event again and, if it still fails, file a second letter
  // for the one failure: a letter is replayed once, and a failed replay files a new one.
  if (letter.replayedAt)
    throw conflict(`dead letter ${letterId} was already replayed at ${letter.replayedAt}`);
  const original = originalEvent(letter.event);
  const deliveryId = letterDeliveryId(letter.event);
  return [{ type: 'LetterReplayed', data: { letterId, at, original, deliveryId } }];
}

export const deadLettersDecider = {
  initialState: (): LetterState => null,
  evolve(letter: LetterState, event: LetterEvent): LetterState {
    if (event.type === 'LetterFiled') return { event: event.data.event, replayedAt: null };
    return letter && { ...letter, replayedAt: event.data.at };
  },
  decide: (command: LetterCommand, letter: LetterState): LetterEvent[] =>
    command.type === 'FileLetter' ? fileLetter(command) : replayLetter(command, letter),
} satisfies Decider<LetterState, LetterCommand, LetterEvent>;
