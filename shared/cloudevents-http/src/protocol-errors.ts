import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

function answerRaw(socket: Duplex, status: number, error: string, extra = ''): void {
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n${extra}connection: close\r\n\r\n${body}`,
  );
}

/**
 * Answers in JSON, naming the problem, what Node's HTTP server refuses before any handler sees
 * it: a request its parser cannot read (a bare CR or LF or a NUL in a header, two
 * Content-Lengths, Content-Length with Transfer-Encoding, a header section over the limit), whose
 * default answer is a bare status without a body, and CONNECT, whose connection it would close
 * without a word.
 */
export function answerProtocolErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })
      ._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) {
      socket.destroy();
      return;
    }
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : 400;
    answerRaw(socket, status, `malformed HTTP request: ${err.message} (${err.code})`);
  });
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    answerRaw(
      socket,
      405,
      `method CONNECT is not served at ${req.url}`,
      'allow: GET, POST, PUT\r\n',
    );
  });
}
