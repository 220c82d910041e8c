import { deepStrictEqual } from 'node:assert/strict';
import type { Decider } from './decider';
import type { EventData } from './events';

/**
 * Given events / when command / then events (or error), against a decider alone: no store, no
 * I/O. Mismatches throw an AssertionError showing both sides, so it works in any test runner.
 *
 *   spec(orderDecider).given([created]).when(cancel).then([cancelled]);
 */
export function deciderSpec<State, Command, Event extends EventData>(
  decider: Decider<State, Command, Event>,
) {
  return {
    given(events: Event[]) {
      return {
        when(command: Command) {
          const run = (): Event[] => {
            const state = events.reduce((s, e) => decider.evolve(s, e), decider.initialState());
            const decided = decider.decide(command, state);
            return Array.isArray(decided) ? decided : [decided];
          };
          return {
            then(expected: Event[]): void {
              deepStrictEqual(run(), expected);
            },
            thenThrows(check: (err: unknown) => boolean): void {
              let produced: Event[];
              try {
                produced = run();
              } catch (err) {
                if (!check(err)) {
                  throw new Error(`decide threw an unexpected error: ${String(err)}`, {
                    cause: err,
                  });
                }
                return;
              }
              throw new Error(`expected decide to throw, it produced ${JSON.stringify(produced)}`);
            },
          };
        },
      };
    },
  };
}
