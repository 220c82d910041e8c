import { PING_EVENT_TYPE, type Routing } from './routing';

/** An `emits` entry meaning every type: a handler that re-publishes others' events. */
export const ANY_TYPE = '*';

/**
 * Who sends to the broker, as Knative's EventPolicies name them: a handler (its own outbox sends
 * and the replies to its deliveries), a KafkaSource, a PingSource.
 */
export type SenderKind = 'handler' | 'kafka-source' | 'ping-source';

export interface SenderGrant {
  kind: SenderKind;
  name: string;
  /** the CloudEvent types it may send; ANY_TYPE allows every type */
  types: string[];
}

/**
 * The one answer to "who may send what", read from what routing.yaml already declares: each
 * handler may send what it `emits` (its outbox sends and its replies alike), each KafkaSource
 * the types its records carry, each job's PingSource its pings. The chart renders an EventPolicy per grant
 * and the local broker enforces the same grants.
 */
export function senderGrants(routing: Routing): SenderGrant[] {
  return [
    ...routing.handlers
      .filter((h) => h.emits.length > 0)
      .map((h): SenderGrant => ({ kind: 'handler', name: h.name, types: [...h.emits] })),
    ...routing.kafkaSources.map((s): SenderGrant => ({
      kind: 'kafka-source',
      name: s.name,
      types: [...s.emits],
    })),
    ...routing.handlers
      .filter((h) => h.ping)
      .map((h): SenderGrant => ({ kind: 'ping-source', name: h.name, types: [PING_EVENT_TYPE] })),
  ];
}

const KIND_LABELS: Record<SenderKind, string> = {
  handler: 'handler',
  'kafka-source': 'KafkaSource',
  'ping-source': 'PingSource',
};

/** How a sender is named where a refusal names it: `handler order-saga`, `KafkaSource raw`. */
export function senderName(grant: Pick<SenderGrant, 'kind' | 'name'>): string {
  return `${KIND_LABELS[grant.kind]} ${grant.name}`;
}

/** Every type some sender is granted by name (ANY_TYPE left out): what a forgery could fake. */
export function grantedTypes(routing: Routing): string[] {
  const types = senderGrants(routing).flatMap((g) => g.types.filter((t) => t !== ANY_TYPE));
  return [...new Set(types)].sort();
}
