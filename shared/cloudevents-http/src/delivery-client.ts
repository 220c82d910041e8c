import type { Agent, Dispatcher } from 'undici';
import { httpHeadersOf, messageFromHttp, type EventMessage } from './codec';

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

// undici's dispatch API on kept-alive connections: the least client CPU per request measured on
// the dispatch hot path, below undici's request API (no body stream, no abort-signal plumbing),
// itself below node:http and far below fetch (BENCHMARKS.md).
let agent: Agent | undefined;

/** undici is loaded on the first POST: a handler that never sends (no K_SINK) never loads it. */
function dispatcher(): Agent {
  agent ??= new (require('undici') as typeof import('undici')).Agent({ connections: 256 });
  return agent;
}

interface PostOptions {
  timeoutMs?: number;
  headers?: Record<string, string>;
}

interface Target {
  origin: string;
  path: string;
}

/** Subscribers and sinks are few and fixed: each URL is parsed once, not once per event. */
const targets = new Map<string, Target>();

function targetOf(url: string): Target {
  let target = targets.get(url);
  if (!target) {
    const parsed = new URL(url);
    target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    targets.set(url, target);
  }
  return target;
}

function joined(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) result[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

/** POSTs a message in binary mode. Rejects only when no response arrived (network, timeout). */
export function postMessage(
  url: string,
  message: EventMessage,
  options: PostOptions = {},
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const { origin, path } = targetOf(url);
    let controller: Dispatcher.DispatchController | undefined;
    let timeout: Error | undefined;
    // undici's own timeouts tick at a coarse resolution (~1 s); Knative's are often shorter.
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timeout = new Error(`no response within ${options.timeoutMs} ms`);
            controller?.abort(timeout);
          }, options.timeoutMs);
    let status = 0;
    let headers: Record<string, string> = {};
    const chunks: Buffer[] = [];
    dispatcher().dispatch(
      {
        origin,
        path,
        method: 'POST',
        headers: { ...httpHeadersOf(message), ...options.headers },
        body: message.body,
      },
      {
        onRequestStart(started) {
          controller = started;
          if (timeout) started.abort(timeout);
        },
        onResponseStart(_, statusCode, responseHeaders) {
          status = statusCode;
          headers = joined(responseHeaders);
        },
        onResponseData(_, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          clearTimeout(timer);
          resolve({
            status,
            headers,
            body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
          });
        },
        onResponseError(_, err) {
          clearTimeout(timer);
          reject(timeout ?? err);
        },
      },
    );
  });
}

/** The CloudEvent a response carries as a reply, if any; throws when it carries an invalid one. */
export function replyOf(response: HttpResponse): EventMessage | undefined {
  const contentType = response.headers['content-type'] ?? '';
  const carriesEvent =
    response.headers['ce-specversion'] !== undefined ||
    contentType.startsWith('application/cloudevents+json');
  // 202 Accepted ends the delivery: Knative's dispatchers take no reply from it.
  if (!carriesEvent || response.status < 200 || response.status > 299 || response.status === 202)
    return undefined;
  return messageFromHttp(response.headers, response.body);
}
