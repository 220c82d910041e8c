/**
 * An error as ASL names it (`States.Runtime`, a handler's own name): what Retry and Catch match
 * and an execution fails with. Thrown inside the interpreter, recorded as data in events.
 */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    readonly errorCause: string,
  ) {
    super(`${error}: ${errorCause}`);
    this.name = 'StatesError';
  }
}
