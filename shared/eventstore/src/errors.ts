import type { ExpectedVersion } from './events';

/** Another writer appended first: reload, decide again, retry (or give up and report a conflict). */
export class WrongExpectedVersionError extends Error {
  readonly kind = 'conflict';

  constructor(
    readonly streamId: string,
    readonly expectedVersion: ExpectedVersion,
    readonly actualVersion: number,
  ) {
    super(
      `stream ${streamId}: expected version ${String(expectedVersion)}, actual ${actualVersion === 0 ? 'no-stream' : actualVersion}`,
    );
    this.name = 'WrongExpectedVersionError';
  }
}

/** The stream was closed (its aggregate reached a final state); it accepts no more events. */
export class StreamClosedError extends Error {
  readonly kind = 'conflict';

  constructor(
    readonly streamId: string,
    readonly version: number,
  ) {
    super(`stream ${streamId} is closed at version ${version}: it accepts no more events`);
    this.name = 'StreamClosedError';
  }
}
