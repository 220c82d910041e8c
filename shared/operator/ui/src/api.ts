/** The system's API, on the origin that served the dashboard (the gateway or the ingress). */
export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  const body = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new ApiError(response.status, body.error ?? `HTTP ${response.status}`);
  return body;
}

export async function post<T>(path: string): Promise<T> {
  const response = await fetch(path, { method: 'POST' });
  const body = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new ApiError(response.status, body.error ?? `HTTP ${response.status}`);
  return body;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Overview {
  at: string;
  topology: string;
  backend: string;
  events: { appended: number; perSecond: number; series: number[] };
  deliveries: { perSecond: number; failedPerSecond: number; errorRate: number };
  triggers: Array<{
    name: string;
    delivered: number;
    deadLettered: number;
    dropped: number;
    filtered: number;
    lag: number;
  }>;
  processes: Array<{ name: string; running: boolean; pid: number | null; starts: number }>;
  activeProcesses: number;
}

export interface Letter {
  letterId: number;
  type: string;
  event: Record<string, unknown>;
  destination: string | null;
  status: number | null;
  response: string | null;
  receivedAt: string;
}

export interface Parked {
  position: number;
  streamId: string;
  type: string;
  error: string;
  parkedAt: string;
}

export interface OrderView {
  orderId: string;
  status: string;
  reason: string | null;
  total: number;
  region: string;
  history: Array<{ at: string; event: string; detail?: unknown }>;
}

export interface TailEvent {
  id: string;
  type: string;
  source: string;
  time?: string;
  partitionkey?: string;
  data: unknown;
}
