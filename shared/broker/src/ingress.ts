import type { IncomingMessage, ServerResponse } from 'node:http';
import { inRecordedSpan, requestParent, type Logger } from '@eventline/telemetry';
import { InvalidEventError, messageFromHttp, type EventMessage } from '@eventline/cloudevents-http';
import type { SenderPolicy, SenderRefusal } from './sender-policy';

export interface IngressOptions {
  /** the broker's address, /<namespace>/<broker> */
  path: string;
  bodyLimitBytes: number;
  publish: (message: EventMessage) => Promise<void>;
  log: Logger;
  /** who may send what; without one, anyone may send anything (Knative without OIDC) */
  senders?: SenderPolicy;
}

/** A request listener; mounts as-is in node:http or as express middleware (calls `next` off-path). */
export type IngressHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

class TooLargeError extends Error {}

function answer(res: ServerResponse, status: number, error?: string): void {
  if (error === undefined) {
    res.writeHead(status).end();
    return;
  }
  const body = JSON.stringify({ error });
  // In bytes: an error quoting what was sent may hold characters beyond ASCII.
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function refuse(res: ServerResponse, refusal: SenderRefusal): void {
  const body = JSON.stringify({
    error: refusal.message,
    type: refusal.type,
    sender: refusal.sender ?? null,
  });
  res.writeHead(403, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new TooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new TooLargeError());
      } else chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

/**
 * The broker ingress on bare node:http: 202 once the event is in the log, 400 naming what is wrong
 * with a bad event, 413 over the size limit, at its path with or without a trailing slash; 405
 * with `Allow` to other methods but OPTIONS, the CloudEvents webhook's validation request; with a
 * sender policy, 403 naming the type and the sender to one it does not allow. No framework on
 * this path: it is the hottest one.
 */
export function brokerIngress(options: IngressOptions): IngressHandler {
  const accept = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const message = messageFromHttp(req.headers, await readBody(req, options.bodyLimitBytes));
      const { senders } = options;
      const refusal = senders?.refusal(
        senders.senderOf(req.headers.authorization),
        message.attributes.type as string,
      );
      if (refusal) {
        refuse(res, refusal);
        return;
      }
      const parent = () => requestParent(req.headers.traceparent, message.attributes.traceparent);
      await inRecordedSpan(`${options.path} ingress`, parent, 'producer', async (span) => {
        span?.setAttributes({
          'cloudevents.event_id': message.attributes.id,
          'cloudevents.event_type': message.attributes.type,
        });
        await options.publish(message);
      });
      answer(res, 202);
    } catch (err) {
      if (err instanceof InvalidEventError) answer(res, 400, err.message);
      else if (err instanceof TooLargeError)
        answer(res, 413, `event larger than ${options.bodyLimitBytes} bytes`);
      else {
        options.log.error({ err }, 'ingress could not append the event');
        answer(res, 500, 'the event could not be stored; retry');
      }
    }
  };
  return (req, res, next) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== options.path && path !== `${options.path}/`) {
      if (next) next();
      else answer(res, 404, `no broker at ${path}; the ingress is ${options.path}`);
    } else if (req.method === 'OPTIONS') {
      // The CloudEvents webhook's abuse protection handshake: any origin may deliver, at any rate.
      res
        .writeHead(200, {
          allow: 'POST',
          'webhook-allowed-origin': req.headers['webhook-request-origin'] ?? '*',
          'webhook-allowed-rate': '*',
        })
        .end();
    } else if (req.method !== 'POST') {
      res.setHeader('allow', 'POST, OPTIONS');
      answer(res, 405, 'only POST is accepted by a broker ingress');
    } else void accept(req, res);
  };
}
