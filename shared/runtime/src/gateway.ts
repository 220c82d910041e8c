import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DirectRoute } from '@eventline/broker';
import { answerProtocolErrors } from '@eventline/cloudevents-http';
import { serveMetrics } from '@eventline/telemetry';
import { passThrough } from './pass-through';

export interface Gateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** Leads a request to the running handler's process itself rather than its activator address. */
  direct?: DirectRoute;
  /** Answers the paths the gateway serves itself (the event catalog, the admin endpoints); false
   * passes the request on to the routes. */
  own?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
}

/**
 * The public API of a local run: one port whose path prefixes lead to the edge handlers, as a
 * cluster's ingress would. Requests are streamed through unchanged.
 */
export async function startGateway(
  routes: Array<{ prefix: string; target: () => string }>,
  host: string,
  port: number,
  options: GatewayOptions = {},
): Promise<Gateway> {
  const { direct, own = () => false } = options;
  const ordered = [...routes].sort((a, b) => b.prefix.length - a.prefix.length);
  const server = http.createServer((req, res) => {
    if (own(req, res)) return;
    const path = req.url ?? '/';
    // The gateway's own: this process's metrics (the broker's and activator's with the gateway's).
    if (path === '/metrics' && req.method === 'GET') {
      serveMetrics(req, res);
      return;
    }
    const route = ordered.find(
      (r) =>
        path === r.prefix || path.startsWith(`${r.prefix}/`) || path.startsWith(`${r.prefix}?`),
    );
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: `no service at ${path}`, paths: ordered.map((r) => r.prefix) }),
      );
      return;
    }
    const target = `${route.target()}${path}`;
    if (!direct) {
      passThrough(req, res, target, 'upstream unavailable');
      return;
    }
    direct(target).then(
      (process) => {
        res.once('close', () => process?.release());
        passThrough(req, res, process?.url ?? target, 'upstream unavailable');
      },
      (err: Error) => {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: err.message }));
      },
    );
  });
  answerProtocolErrors(server);
  // Node's default of 5 s closes idle kept-alive connections while clients (http.Agent, load
  // generators) may be reusing them: a request sent into a closing socket fails with ECONNRESET.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    url: `http://${host}:${actual}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
