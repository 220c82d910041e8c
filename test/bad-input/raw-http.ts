import net from 'node:net';

/** A request written byte for byte: header values are not checked, so CR, LF and NUL get through. */
export interface RawRequest {
  method: string;
  /** the request target as written on the request line */
  target: string;
  headers: Array<[string, string]>;
  body: Buffer;
  /** send the body chunked instead of with a Content-Length */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The request's bytes; the header block is latin1, as HTTP/1.1 reads it. */
export function requestBytes(request: RawRequest, host: string): Buffer {
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `host: ${host}`];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  if (request.chunked) lines.push('transfer-encoding: chunked');
  else lines.push(`content-length: ${request.body.length}`);
  lines.push('connection: close', '', '');
  const head = Buffer.from(lines.join('\r\n'), 'latin1');
  if (!request.chunked) return Buffer.concat([head, request.body]);
  const chunk =
    request.body.length > 0
      ? [Buffer.from(`${request.body.length.toString(16)}\r\n`), request.body, Buffer.from('\r\n')]
      : [];
  return Buffer.concat([head, ...chunk, Buffer.from('0\r\n\r\n')]);
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const end = body.indexOf('\r\n', at);
    if (end < 0) throw new Error('truncated chunked body');
    const size = Number.parseInt(body.subarray(at, end).toString('latin1'), 16);
    if (!Number.isInteger(size)) throw new Error('malformed chunk size');
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(end + 2, end + 2 + size));
    at = end + 2 + size + 2;
  }
}

/** The first final (non-1xx) response in what the server wrote before it closed. */
export function parseResponse(bytes: Buffer): RawResponse {
  let at = 0;
  for (;;) {
    const headEnd = bytes.indexOf('\r\n\r\n', at);
    if (headEnd < 0) throw new Error(`no complete response: ${JSON.stringify(bytes.toString())}`);
    const [statusLine, ...headerLines] = bytes
      .subarray(at, headEnd)
      .toString('latin1')
      .split('\r\n');
    const status = Number((statusLine ?? '').split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    at = headEnd + 4;
    if (status >= 100 && status < 200) continue;
    let body = bytes.subarray(at);
    if (headers['transfer-encoding']?.includes('chunked')) body = dechunk(body);
    else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (body.length < length) throw new Error(`body shorter than its content-length ${length}`);
      body = body.subarray(0, length);
    }
    return { status, headers, body: body.toString('utf8') };
  }
}

/**
 * Sends one request on its own connection and reads until the server closes it; fails when the
 * server neither answers nor closes within `timeoutMs`, or closes without an answer.
 */
export function sendRaw(
  url: string,
  request: RawRequest,
  timeoutMs = 10_000,
): Promise<RawResponse> {
  const { hostname, port, host } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const received: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // A server that refuses a request may reset the connection while the body is still going
    // out; what it answered before that is still the answer.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parseResponse(Buffer.concat(received)));
      } catch (err) {
        reject(err);
      }
    });
    // Not ended after writing: Node's server takes a half-closed connection for a client gone and
    // drops its answer. `connection: close` makes the server close it once it has answered.
    socket.write(requestBytes(request, host));
  });
}
