import { randomUUID } from 'node:crypto';

/** Binary-mode headers for a test CloudEvent. */
export function binaryHeaders(
  type: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    'ce-specversion': '1.0',
    'ce-id': randomUUID(),
    'ce-source': '/tests',
    'ce-type': type,
    'content-type': 'application/json',
    ...extra,
  };
}

export async function postBinary(
  url: string,
  type: string,
  data: unknown,
  extra: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: binaryHeaders(type, extra),
    body: JSON.stringify(data),
  });
}

export async function postStructured(
  url: string,
  event: Record<string, unknown>,
  extra: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json', ...extra },
    body: JSON.stringify(event),
  });
}
