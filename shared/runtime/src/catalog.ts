import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  asyncApiDocument,
  catalogHtml,
  eventCatalog,
  SCHEMA_BASE_URI,
  type EventDefinition,
} from '@eventline/events';
import type { ServiceDefinition } from '@eventline/kit';
import { KAFKA_EVENT_TYPE, PING_EVENT_TYPE, type Routing } from '@eventline/routing';
import { loadService } from './services';

type Json = Record<string, unknown>;

/**
 * The AsyncAPI 3.0 document of the catalog as `routing` wires it: the chart's ConfigMap holds it,
 * the gateway answers it at /catalog. A receiving handler's accepted versions are its code's.
 */
export function catalogDocument(
  routing: Routing,
  options: { namespace: string; catalog?: readonly EventDefinition[] },
): Json {
  const services = new Map<string, ServiceDefinition>();
  const acceptsOf = (handler: string): readonly number[] | undefined => {
    const route = routing.handlers.find((r) => r.name === handler);
    if (!route) return undefined;
    if (!services.has(route.package)) services.set(route.package, loadService(route.package));
    return services.get(route.package)?.handlers.find((h) => h.name === handler)?.accepts?.accepts;
  };
  const { version } = require('@eventline/events/package.json') as { version: string };
  return asyncApiDocument(options.catalog ?? eventCatalog, {
    routes: routing.handlers,
    sources: {
      pingSources: routing.handlers.filter((r) => r.kind === 'job').map((r) => r.name),
      kafkaSources: routing.kafkaSources,
      pingType: PING_EVENT_TYPE,
      kafkaType: KAFKA_EVENT_TYPE,
    },
    accepts: acceptsOf,
    broker: { namespace: options.namespace, name: routing.broker.name },
    version,
  });
}

/**
 * Answers the catalog's paths on the gateway: /catalog (the AsyncAPI document as JSON, or the
 * page when the client asks for HTML first), /catalog.html, and each schema version at the path
 * of its `dataschema`, /catalog/schemas/<type>/v<N>.json. False for any other path.
 */
export function catalogResponder(
  document: Json,
  catalog: readonly EventDefinition[] = eventCatalog,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const json = JSON.stringify(document, null, 2);
  const html = catalogHtml(document);
  const schemas = new Map(
    catalog.flatMap((d) =>
      d.versions.map((v) => [
        `/catalog/schemas/${v.dataschema.slice(SCHEMA_BASE_URI.length)}`,
        JSON.stringify(v.schema, null, 2),
      ]),
    ),
  );
  const send = (res: ServerResponse, type: string, body: string) => {
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8` });
    res.end(body);
  };
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = (req.url ?? '/').split('?')[0] as string;
    if (path === '/catalog.html') send(res, 'text/html', html);
    else if (path === '/catalog') {
      const accept = req.headers.accept ?? '';
      const prefersHtml =
        accept.includes('text/html') &&
        (!accept.includes('application/json') ||
          accept.indexOf('text/html') < accept.indexOf('application/json'));
      if (prefersHtml) send(res, 'text/html', html);
      else send(res, 'application/json', json);
    } else if (schemas.has(path)) send(res, 'application/schema+json', schemas.get(path) as string);
    else return false;
    return true;
  };
}
