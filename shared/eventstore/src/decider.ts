import { inTransaction, type Transaction } from '@eventline/store';
import { foldEvents, loadAggregate, saveSnapshot, snapshotDue, type Aggregate } from './aggregate';
import { WrongExpectedVersionError } from './errors';
import type { AppendResult, EventStore } from './event-store';
import type { EventData } from './events';

/**
 * Business logic as pure functions (Emmett's decider): decide what happens, evolve what it
 * means. Throwing from decide rejects the command; returning [] accepts it with no change.
 */
export interface Decider<State, Command, Event extends EventData> extends Aggregate<State, Event> {
  decide(command: Command, state: State): Event | Event[];
}

export interface HandleCommandOptions {
  /** Run load and append in the caller's transaction (with its idempotency record, outbox). */
  tx?: Transaction;
  /** Attempts after a WrongExpectedVersionError before it is rethrown. */
  maxRetries?: number;
}

export interface CommandResult<State, Event> {
  state: State;
  /** The events this command appended (empty when it decided nothing). */
  events: Event[];
  /** The stream's version after the command: the version the state reflects. */
  version: number;
  appended?: AppendResult;
}

function toArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * load → decide → append at the loaded version. Another writer appending in between surfaces as
 * a WrongExpectedVersionError; the command is then decided again on the fresh state, a bounded
 * number of times, since a decision is only valid for the state it saw. A snapshot is written in
 * the append's transaction when the stream crosses a multiple of the aggregate's N.
 */
export async function handleCommand<State, Command, Event extends EventData>(
  store: EventStore,
  streamId: string,
  decider: Decider<State, Command, Event>,
  command: Command,
  options: HandleCommandOptions = {},
): Promise<CommandResult<State, Event>> {
  const maxRetries = options.maxRetries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await decideAndAppend(store, streamId, decider, command, options.tx);
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError) || attempt >= maxRetries) throw err;
      // A little jitter so writers racing on one stream do not collide again in lockstep.
      await pause(Math.random() * 5 * (attempt + 1));
    }
  }
}

async function decideAndAppend<State, Command, Event extends EventData>(
  store: EventStore,
  streamId: string,
  decider: Decider<State, Command, Event>,
  command: Command,
  tx: Transaction | undefined,
): Promise<CommandResult<State, Event>> {
  const loaded = await loadAggregate(store, streamId, decider, tx);
  const events = toArray(decider.decide(command, loaded.state));
  if (events.length === 0) return { state: loaded.state, events, version: loaded.version };
  const state = foldEvents(decider, loaded.state, events);
  const expectedVersion = loaded.version;
  const version = loaded.version + events.length;
  const policy = decider.snapshots;
  if (!snapshotDue(policy, loaded.version, version)) {
    const appended = await store.appendInTransaction(tx ?? store.pool, streamId, events, {
      expectedVersion,
    });
    return { state, events, version, appended };
  }
  const appendWithSnapshot = async (t: Transaction) => {
    const appended = await store.appendInTransaction(t, streamId, events, { expectedVersion });
    await saveSnapshot(t, streamId, policy, state, version);
    return appended;
  };
  const appended = tx
    ? await appendWithSnapshot(tx)
    : await inTransaction(store.pool, appendWithSnapshot);
  return { state, events, version, appended };
}
