export { EVENTSTORE_SCHEMA, eventStoreMigrations, eventStoreMigrationsIn } from './schema';
export type { EventData, EventPosition, RecordedEvent, ExpectedVersion } from './events';
export { WrongExpectedVersionError, StreamClosedError } from './errors';
export {
  EventStore,
  DEFAULT_CLOSED_STREAM_TTL_MS,
  type Queryable,
  type AppendResult,
  type ReadStreamOptions,
  type ReadAllOptions,
  type PruneOptions,
} from './event-store';
export { readSnapshot, writeSnapshot, type Snapshot } from './snapshots';
export {
  loadAggregate,
  snapshotDue,
  saveSnapshot,
  foldEvents,
  type Aggregate,
  type SnapshotPolicy,
  type LoadedAggregate,
} from './aggregate';
export {
  handleCommand,
  type Decider,
  type HandleCommandOptions,
  type CommandResult,
} from './decider';
export { deciderSpec } from './decider-spec';
export {
  followProjection,
  rebuildProjection,
  catchUpProjection,
  projectNextBatch,
  projectionCheckpoint,
  parkedEvents,
  replayParkedEvent,
  type ParkedEvent,
  type Projection,
  type ProjectionFollower,
} from './projections';
