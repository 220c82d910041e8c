import type { EventDefinition, SchemaVersion } from './define';

/** What the document needs of a route in routing.yaml (a structural subset of HandlerRoute). */
export interface CatalogRoute {
  name: string;
  kind: string;
  package: string;
  /** the type the route's Trigger filters on (a job's: the PingSource type) */
  type?: string;
  emits: readonly string[];
  filters?: readonly unknown[];
  description?: string;
}

export interface CatalogSources {
  /** PingSources by name (a job's), and KafkaSources by name with the type they send */
  pingSources: readonly string[];
  kafkaSources: ReadonlyArray<{ name: string; topics: readonly string[] }>;
  pingType: string;
  kafkaType: string;
}

export interface AsyncApiOptions {
  routes: readonly CatalogRoute[];
  sources: CatalogSources;
  /** the versions a receiving handler accepts; the current version when it says nothing */
  accepts?: (handler: string, type: string) => readonly number[] | undefined;
  broker: { namespace: string; name: string };
  version: string;
}

type Json = Record<string, unknown>;

const titleOf = (definition: EventDefinition) =>
  ((definition.schema as Json).title as string | undefined) ??
  definition.type.split('.').slice(-2).join('-');
const messageId = (definition: EventDefinition, v: SchemaVersion) =>
  `${titleOf(definition)}.v${v.version}`;
const channelRef = (type: string) => ({ $ref: `#/channels/${type}` });
const messageRef = (type: string, id: string) => ({ $ref: `#/channels/${type}/messages/${id}` });

function message(definition: EventDefinition, v: SchemaVersion): Json {
  const { $schema: _dialect, ...payload } = v.schema as Json;
  return {
    name: messageId(definition, v),
    title: `${titleOf(definition)} v${v.version}`,
    ...(payload.description ? { summary: payload.description } : {}),
    contentType: 'application/json',
    // CloudEvents' HTTP binary mode: the attributes travel as ce- headers.
    headers: {
      type: 'object',
      required: ['ce-specversion', 'ce-type', 'ce-source', 'ce-id'],
      properties: {
        'ce-specversion': { const: '1.0' },
        'ce-type': { const: definition.type },
        'ce-source': { type: 'string' },
        'ce-id': { type: 'string' },
        'ce-dataschema': { const: v.dataschema },
        'ce-correlationid': { type: 'string' },
        'ce-partitionkey': { type: 'string' },
      },
    },
    correlationId: { location: '$message.header#/ce-correlationid' },
    payload,
  };
}

/**
 * The AsyncAPI 3.0 document of the catalog on the broker: a channel per CloudEvent type with its
 * versions as messages, a send operation per producer (handlers by their routes' `emits`, and
 * the PingSources and KafkaSources) and a receive operation per Trigger's handler with the
 * versions it accepts.
 */
export function asyncApiDocument(
  catalog: readonly EventDefinition[],
  options: AsyncApiOptions,
): Json {
  const byType = new Map(catalog.map((d) => [d.type, d]));
  const channels: Json = {};
  const messages: Json = {};
  for (const definition of [...catalog].sort((a, b) => a.type.localeCompare(b.type))) {
    const own: Json = {};
    for (const v of definition.versions) {
      const id = messageId(definition, v);
      messages[id] = message(definition, v);
      own[id] = { $ref: `#/components/messages/${id}` };
    }
    channels[definition.type] = {
      address: definition.type,
      title: titleOf(definition),
      ...((definition.schema as Json).description
        ? { description: (definition.schema as Json).description }
        : {}),
      messages: own,
    };
  }

  const operations: Json = {};
  const send = (id: string, type: string, by: string, summary: string, pkg?: string) => {
    const definition = byType.get(type);
    if (!definition) throw new Error(`${id}: ${type} is not in the event catalog`);
    operations[id] = {
      action: 'send',
      channel: channelRef(type),
      summary,
      'x-eventline-by': by,
      messages: [
        messageRef(type, messageId(definition, definition.versions.at(-1) as SchemaVersion)),
      ],
      ...(pkg ? { tags: [{ name: pkg }] } : {}),
    };
  };
  for (const route of options.routes)
    for (const type of route.emits)
      if (type !== '*')
        send(
          `${route.name}.sends.${type}`,
          type,
          route.name,
          route.description ?? '',
          route.package,
        );
  for (const ping of options.sources.pingSources)
    send(
      `pingsource.${ping}`,
      options.sources.pingType,
      `PingSource ${ping}`,
      'ticks on its schedule',
    );
  for (const kafka of options.sources.kafkaSources)
    send(
      `kafkasource.${kafka.name}`,
      options.sources.kafkaType,
      `KafkaSource ${kafka.name}`,
      `the records of ${kafka.topics.join(', ')}`,
    );
  for (const route of options.routes) {
    if (!route.type) continue;
    const definition = byType.get(route.type);
    if (!definition) throw new Error(`${route.name}: ${route.type} is not in the event catalog`);
    const accepted = options.accepts?.(route.name, route.type) ?? [definition.version];
    operations[`${route.name}.receives`] = {
      action: 'receive',
      channel: channelRef(route.type),
      summary: route.description ?? '',
      'x-eventline-by': route.name,
      messages: accepted.map((version) =>
        messageRef(
          route.type as string,
          messageId(definition, definition.versions[version - 1] as SchemaVersion),
        ),
      ),
      tags: [{ name: route.package }],
      ...(route.filters && route.filters.length > 0
        ? { 'x-eventline-filters': route.filters }
        : {}),
    };
  }

  const { namespace, name } = options.broker;
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Eventline event catalog',
      version: options.version,
      description:
        'The CloudEvent types on the Eventline broker: their versioned data schemas (JSON Schema 2020-12, named by the `dataschema` attribute), which handler sends each and which receives it.',
    },
    defaultContentType: 'application/json',
    servers: {
      broker: {
        host: 'kafka-broker-ingress.knative-eventing.svc.cluster.local',
        pathname: `/{namespace}/${name}`,
        protocol: 'http',
        variables: {
          namespace: { default: namespace, description: 'the namespace of the release' },
        },
        description:
          'The Knative Kafka Broker ingress; CloudEvents in HTTP binary or structured mode.',
      },
    },
    channels,
    operations,
    components: { messages },
  };
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A readable page of the document: each type with its producers, consumers and schemas. */
export function catalogHtml(document: Json): string {
  const channels = document.channels as Record<string, Json>;
  const operations = Object.entries(document.operations as Record<string, Json>);
  const messages = (document.components as Json).messages as Record<string, Json>;
  const sections = Object.entries(channels).map(([type, channel]) => {
    const on = (action: string) =>
      operations
        .filter(
          ([, op]) => op.action === action && (op.channel as Json).$ref === `#/channels/${type}`,
        )
        .map(([, op]) => {
          const versions = (op.messages as Json[])
            .map((m) => String(m.$ref).split('.v').at(-1))
            .join(', ');
          return `<li><code>${escape(String(op['x-eventline-by']))}</code> (v${escape(versions)}): ${escape(String(op.summary))}</li>`;
        });
    const list = (items: string[]) =>
      items.length > 0 ? `<ul>${items.join('')}</ul>` : '<p>none</p>';
    const versions = Object.keys(channel.messages as Json).map((id) => {
      const payload = messages[id]?.payload as Json;
      return `<details><summary><code>${escape(String(payload.$id ?? id))}</code></summary><pre>${escape(JSON.stringify(payload, null, 2))}</pre></details>`;
    });
    return `<section id="${escape(type)}"><h2><code>${escape(type)}</code> ${escape(String(channel.title ?? ''))}</h2>${channel.description ? `<p>${escape(String(channel.description))}</p>` : ''}<h3>Producers</h3>${list(on('send'))}<h3>Consumers</h3>${list(on('receive'))}<h3>Schemas</h3>${versions.join('')}</section>`;
  });
  const info = document.info as Json;
  const index = Object.keys(channels)
    .map((type) => `<li><a href="#${escape(type)}"><code>${escape(type)}</code></a></li>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(String(info.title))}</title><style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{background:#f4f4f4;padding:.5rem;overflow:auto}section{border-top:1px solid #ccc}</style></head><body><h1>${escape(String(info.title))}</h1><p>${escape(String(info.description))} The AsyncAPI 3.0 document: <a href="/catalog">/catalog</a>.</p><ul>${index}</ul>${sections.join('')}</body></html>\n`;
}
