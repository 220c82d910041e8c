import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveMetrics } from '@eventline/telemetry';
import { passThrough } from './pass-through';

export interface Gateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The public API of a local run: one port whose path prefixes lead to the edge handlers, as a
 * cluster's ingress would. Requests are streamed through unchanged.
 */
export async function startGateway(
  routes: Array<{ prefix: string; target: () => string }>,
  host: string,
  port: number,
): Promise<Gateway> {
  const ordered = [...routes].sort((a, b) => b.prefix.length - a.prefix.length);
  const server = http.createServer((req, res) => {
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
    passThrough(req, res, `${route.target()}${path}`, 'upstream unavailable');
  });
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
