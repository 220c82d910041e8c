import { binaryMessage, eventFromHttp, InvalidEventError, type Event } from './cloudevent-http';

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** POSTs an event in binary mode. Rejects only when no response arrived (network, timeout). */
export async function postEvent(
  url: string,
  event: Event,
  options: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<HttpResponse> {
  const message = binaryMessage(event);
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...message.headers, ...options.headers },
    body: message.body,
    signal: options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : null,
  });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: response.status, headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** The CloudEvent a response carries as a reply, if any; throws when it carries an invalid one. */
export function replyOf(response: HttpResponse): Event | undefined {
  const contentType = response.headers['content-type'] ?? '';
  const carriesEvent =
    response.headers['ce-specversion'] !== undefined ||
    contentType.startsWith('application/cloudevents+json');
  if (!carriesEvent || response.status < 200 || response.status > 299) return undefined;
  return eventFromHttp(response.headers, response.body);
}

export { InvalidEventError };
