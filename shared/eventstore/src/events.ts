/** An event as a decider emits it: a discriminated union member of `type` + `data`. */
export interface EventData {
  type: string;
  data: unknown;
  metadata?: Record<string, unknown> | undefined;
}

/** Where an event sits once stored. */
export interface EventPosition {
  streamId: string;
  /** 1 for a stream's first event; a stream's version is the version of its last event. */
  streamVersion: number;
  /** Unique over the store, increasing in the order events became visible. */
  globalPosition: number;
  recordedAt: Date;
}

export type RecordedEvent<Event extends EventData = EventData> = Event & EventPosition;

/**
 * A number: the stream must be at exactly that version (0 means it must not exist yet, the
 * same as 'no-stream'). 'any': no check, for streams with a single writer by construction.
 */
export type ExpectedVersion = number | 'no-stream' | 'any';
