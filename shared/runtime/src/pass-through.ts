import http from 'node:http';

/**
 * Streams a request through to `url` unchanged and its answer back; when the upstream cannot be
 * reached or goes away mid-answer, 502 in JSON with `unavailable` and the cause. Returns the
 * upstream request, for the caller to destroy when its client leaves.
 */
export function passThrough(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: string,
  unavailable: string,
  agent?: http.Agent,
): http.ClientRequest {
  const upstream = http.request(
    url,
    { method: req.method, headers: req.headers, ...(agent ? { agent } : {}) },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `${unavailable}: ${err.message}` }));
  });
  req.pipe(upstream);
  return upstream;
}
