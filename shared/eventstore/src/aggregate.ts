import type { Transaction } from '@eventline/store';
import type { EventStore } from './event-store';
import type { EventData, RecordedEvent } from './events';
import { readSnapshot, writeSnapshot } from './snapshots';

/**
 * Snapshot every `every` events. `revision` names the shape of the state: bump it when evolve
 * changes, and snapshots of other revisions are ignored (rebuilt from events). States that are
 * not plain JSON (Maps, Dates) pass `toJSON`/`fromJSON`.
 */
export interface SnapshotPolicy<State> {
  every: number;
  revision?: number;
  toJSON?: (state: State) => unknown;
  fromJSON?: (json: unknown) => State;
}

/** How a stream's events fold into state; a Decider is one of these plus `decide`. */
export interface Aggregate<State, Event extends EventData> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  snapshots?: SnapshotPolicy<State>;
}

export interface LoadedAggregate<State> {
  state: State;
  /** The stream's version the state reflects: the expected version of the next append. */
  version: number;
  /** The snapshot version the load started from, 0 when it replayed from the start. */
  fromSnapshot: number;
}

/** Latest snapshot (when the aggregate takes them) plus the events after it, folded with evolve. */
export async function loadAggregate<State, Event extends EventData>(
  store: EventStore,
  streamId: string,
  aggregate: Aggregate<State, Event>,
  tx?: Transaction,
): Promise<LoadedAggregate<State>> {
  let state = aggregate.initialState();
  let version = 0;
  const policy = aggregate.snapshots;
  if (policy) {
    const snapshot = await readSnapshot(tx ?? store.pool, streamId);
    if (snapshot && snapshot.revision === (policy.revision ?? 1)) {
      state = policy.fromJSON ? policy.fromJSON(snapshot.state) : (snapshot.state as State);
      version = snapshot.version;
    }
  }
  const fromSnapshot = version;
  const events = await store.readStream<Event>(streamId, { afterVersion: version, tx });
  for (const event of events) {
    state = aggregate.evolve(state, event);
    version = event.streamVersion;
  }
  return { state, version, fromSnapshot };
}

/** True when an append moving the stream from `before` to `after` crosses a multiple of N. */
export function snapshotDue<State>(
  policy: SnapshotPolicy<State> | undefined,
  before: number,
  after: number,
): policy is SnapshotPolicy<State> {
  if (!policy || policy.every <= 0) return false;
  return Math.floor(after / policy.every) > Math.floor(before / policy.every);
}

export async function saveSnapshot<State>(
  tx: Transaction,
  streamId: string,
  policy: SnapshotPolicy<State>,
  state: State,
  version: number,
): Promise<void> {
  await writeSnapshot(tx, {
    streamId,
    version,
    revision: policy.revision ?? 1,
    state: policy.toJSON ? policy.toJSON(state) : state,
  });
}

/** Folds already-loaded events onto a state, e.g. after an append. */
export function foldEvents<State, Event extends EventData>(
  aggregate: Aggregate<State, Event>,
  state: State,
  events: readonly Event[] | readonly RecordedEvent<Event>[],
): State {
  return events.reduce((s, e) => aggregate.evolve(s, e), state);
}
