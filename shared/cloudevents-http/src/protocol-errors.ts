import http, {
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';

function answerRaw(socket: Duplex, status: number, error: string, extra = ''): void {
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n${extra}connection: close\r\n\r\n${body}`,
  );
}

/** A header line holding a byte no field may (a control other than HTAB, a bare CR or LF). */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const INVALID_IN_FIELD = /[\x00-\x08\x0a-\x1f\x7f]/;
/** What a header name may be made of (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Which header of a request the parser refused is at fault, from the bytes it read: the parser's
 * own reason ("Invalid header value char", "Invalid header token") does not say. A line folded onto the one before it
 * (obsolete line folding) blames the header it continues.
 */
function offendingHeader(raw: Buffer | undefined): string | undefined {
  if (!raw) return undefined;
  const head = raw.toString('latin1');
  const end = head.indexOf('\r\n\r\n');
  const lines = (end < 0 ? head : head.slice(0, end)).split('\r\n').slice(1);
  let previous: string | undefined;
  for (const line of lines) {
    const spelled = line.slice(0, Math.max(0, line.indexOf(':')));
    const name = spelled.trim();
    if (/^[ \t]/.test(line) && previous) return previous;
    // Whitespace before the colon makes the name no token: quoted, so that it shows.
    if (name && spelled !== name) return JSON.stringify(spelled);
    if (INVALID_IN_FIELD.test(line) || (name && !TOKEN.test(name)))
      return name || JSON.stringify(line.slice(0, 40));
    previous = name;
  }
  return undefined;
}

/** The longest line of a head over the size limit, the likely culprit: a header or the target. */
function largestPart(raw: Buffer | undefined): string {
  const [requestLine = '', ...lines] = raw?.toString('latin1').split('\r\n') ?? [];
  const longest = lines.reduce((a, b) => (b.length > a.length ? b : a), '');
  const name = longest.slice(0, Math.max(0, longest.indexOf(':'))).trim();
  return name && longest.length > requestLine.length
    ? `header ${name} (${longest.length} bytes)`
    : `the request target (${requestLine.length} bytes)`;
}

/**
 * Answers in JSON, naming the problem, what Node's HTTP server refuses before any handler sees
 * it: a request its parser cannot read (a bare CR or LF or a NUL in a header, two
 * Content-Lengths, Content-Length with Transfer-Encoding, a header section over the limit), whose
 * default answer is a bare status without a body, and CONNECT, whose connection it would close
 * without a word.
 */
export function answerProtocolErrors(server: Server): void {
  type ParseError = NodeJS.ErrnoException & { rawPacket?: Buffer };
  server.on('clientError', (err: ParseError, socket: Duplex) => {
    const answering = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) {
      socket.destroy();
      return;
    }
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      const largest = largestPart(err.rawPacket);
      answerRaw(
        socket,
        431,
        `request header fields larger than ${http.maxHeaderSize} bytes; the largest is ${largest}`,
      );
      return;
    }
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const header = offendingHeader(err.rawPacket);
    const where =
      err.code === 'HPE_INVALID_URL' ? 'request target: ' : header ? `header ${header}: ` : '';
    const answer = () =>
      answerRaw(socket, status, `malformed HTTP request: ${where}${err.message} (${err.code})`);
    // Bytes after a request that are no request (what a header value's blank line smuggled in)
    // are refused after that request is answered, in order, not in its place.
    if (answering && !answering.writableEnded) answering.once('finish', answer);
    else answer();
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
