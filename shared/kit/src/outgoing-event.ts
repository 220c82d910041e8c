import { randomUUID } from 'node:crypto';
import { CloudEvent, type Event } from '@eventline/cloudevents-http';
import type { DataOf, EventDefinition } from '@eventline/events';
import { currentTraceparent } from '@eventline/telemetry';
import { dataValidator } from './data-validation';

/** An event a handler asks to emit or reply with; the kit fills in id, source and tracing. */
export interface OutgoingEvent<Data = unknown> {
  type: string;
  data: Data;
  subject?: string;
  /** Kafka record key: events with one key keep their order */
  partitionkey?: string;
  /** extra CloudEvent extension attributes, e.g. for trigger filters */
  extensions?: Record<string, string>;
  /** a stable id makes the emission itself idempotent; random when absent */
  id?: string;
}

export function outgoing<E extends EventDefinition>(
  definition: E,
  data: DataOf<E>,
  options: Omit<OutgoingEvent, 'type' | 'data'> = {},
): OutgoingEvent<DataOf<E>> {
  return { type: definition.type, data, ...options };
}

/** The correlation id that ties every event of one business flow together. */
export function correlationOf(event: Pick<Event, 'id'> & Record<string, unknown>): string {
  const carried = event.correlationid;
  return typeof carried === 'string' && carried.length > 0 ? carried : event.id;
}

/**
 * Turns a handler's outgoing event into a CloudEvent, after checking it against the catalog
 * schema it claims: emitting an event that breaks its own contract is a bug, not bad input. The
 * event names that schema's version in `dataschema`, which its consumers check it against.
 */
export function toCloudEvent(
  event: OutgoingEvent,
  emits: Map<string, EventDefinition>,
  source: string,
  /** the flow this event belongs to; a new flow starts with the event's own id */
  correlationId?: string,
): Event {
  const definition = emits.get(event.type);
  if (!definition) throw new Error(`handler does not declare that it emits ${event.type}`);
  const problem = dataValidator(definition)(event.data);
  if (problem) throw new Error(`emitted ${event.type} violates its schema: ${problem}`);
  const traceparent = currentTraceparent();
  const id = event.id ?? randomUUID();
  return new CloudEvent({
    specversion: '1.0',
    id,
    source,
    type: event.type,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: definition.dataschema,
    data: event.data,
    correlationid: correlationId ?? id,
    ...(event.subject ? { subject: event.subject } : {}),
    ...(event.partitionkey ? { partitionkey: event.partitionkey } : {}),
    ...(traceparent ? { traceparent } : {}),
    ...event.extensions,
  }) as Event;
}
