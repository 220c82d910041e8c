import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalBroker } from '@eventline/broker';
import type { EventMessage } from '@eventline/cloudevents-http';
import type { Activator } from './activator';
import type { HandlerProcess } from './handler-process';

/** Seconds of history the overview keeps and draws. */
const HISTORY_SECONDS = 60;
/** The window rates and the error rate are averaged over. */
const RATE_SECONDS = 10;

/**
 * Counts per wall-clock second for the last HISTORY_SECONDS, filled as things happen: no timer
 * samples anything, so an idle system does no work for its overview.
 */
export class PerSecond {
  private readonly buckets = new Map<number, number>();

  constructor(private readonly now: () => number = Date.now) {}

  add(count = 1): void {
    const second = Math.floor(this.now() / 1000);
    this.buckets.set(second, (this.buckets.get(second) ?? 0) + count);
    for (const key of this.buckets.keys())
      if (key <= second - HISTORY_SECONDS) this.buckets.delete(key);
  }

  /** Counts of the last `seconds` complete seconds, oldest first (the current one is not over). */
  series(seconds = HISTORY_SECONDS): number[] {
    const current = Math.floor(this.now() / 1000);
    return Array.from({ length: seconds }, (_, i) => this.buckets.get(current - seconds + i) ?? 0);
  }

  /** Per-second average over the last `seconds` complete seconds. */
  rate(seconds = RATE_SECONDS): number {
    return this.series(seconds).reduce((sum, n) => sum + n, 0) / seconds;
  }
}

export interface AdminSources {
  broker: LocalBroker;
  topology: 'in-process' | 'processes';
  processes: Map<string, HandlerProcess>;
  activator?: Activator;
}

export interface TriggerOverview {
  name: string;
  delivered: number;
  deadLettered: number;
  dropped: number;
  filtered: number;
  /** records of the log this trigger has not finished with (filtered out or settled) */
  lag: number;
}

export interface Overview {
  at: string;
  topology: AdminSources['topology'];
  backend: string;
  events: { appended: number; perSecond: number; series: number[] };
  deliveries: { perSecond: number; failedPerSecond: number; errorRate: number };
  triggers: TriggerOverview[];
  processes: Array<{ name: string; running: boolean; pid: number | null; starts: number }>;
  activeProcesses: number;
}

/** An event as the tail shows it: its attributes, and its data when it reads as JSON. */
export function tailEntry(message: EventMessage): Record<string, unknown> {
  const text = message.body.toString('utf8');
  let data: unknown = text;
  try {
    data = text.length > 0 ? JSON.parse(text) : null;
  } catch {
    // not JSON: shown as the text it is
  }
  return { ...message.attributes, data };
}

/**
 * The local system's operator endpoints, JSON computed from the broker's and the activator's
 * state, for the dashboard and the CLI: `GET /admin/overview` and `GET /admin/events?type=`
 * (server-sent events, the broker log from now on).
 */
export class AdminEndpoints {
  private readonly appended = new PerSecond();
  private readonly settled = new PerSecond();
  private readonly failed = new PerSecond();
  /** followers of the log, each with the event type it asked for (null: every type) */
  private readonly streams = new Map<ServerResponse, string | null>();
  private readonly unobserve: () => void;

  constructor(private readonly sources: AdminSources) {
    this.unobserve = sources.broker.observe({
      appended: (message) => {
        this.appended.add();
        if (this.streams.size > 0) this.broadcast(message);
      },
      settled: (_trigger, outcome) => {
        this.settled.add();
        if (outcome !== 'delivered') this.failed.add();
      },
    });
  }

  overview(): Overview {
    const { broker, processes, activator, topology } = this.sources;
    const appended = broker.eventsAppended;
    const triggers = broker.triggerNames.map((name) => {
      const stats = broker.triggerStats(name)!;
      const done = stats.filtered + stats.delivered + stats.deadLettered + stats.dropped;
      return { name, ...stats, lag: Math.max(0, appended - done) };
    });
    const list = [...processes.values()].map((p) => ({
      name: p.name,
      running: p.running,
      pid: p.pid ?? null,
      starts: activator?.startsOf(p.name) ?? 0,
    }));
    const settled = this.settled.rate();
    const failed = this.failed.rate();
    return {
      at: new Date().toISOString(),
      topology,
      backend: broker.backend,
      events: { appended, perSecond: this.appended.rate(), series: this.appended.series() },
      deliveries: {
        perSecond: settled,
        failedPerSecond: failed,
        errorRate: settled > 0 ? failed / settled : 0,
      },
      triggers,
      processes: list,
      activeProcesses: list.filter((p) => p.running).length,
    };
  }

  /** Answers the request when it is one of the admin paths; false leaves it to the gateway. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    // Not `new URL(req.url, base)`: a target such as `//[` is a host to it, and it throws.
    const target = req.url ?? '/';
    const query = target.indexOf('?');
    const url = {
      pathname: query < 0 ? target : target.slice(0, query),
      searchParams: new URLSearchParams(query < 0 ? '' : target.slice(query + 1)),
    };
    if (!url.pathname.startsWith('/admin/') && url.pathname !== '/admin') return false;
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `only GET is served at ${url.pathname}` }));
    } else if (url.pathname === '/admin/overview') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(this.overview()));
    } else if (url.pathname === '/admin/events') {
      this.follow(res, url.searchParams.get('type'));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: `no admin endpoint at ${url.pathname}`,
          paths: ['/admin/overview', '/admin/events'],
        }),
      );
    }
    return true;
  }

  private follow(res: ServerResponse, type: string | null): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // A comment line first, so a client knows it is following before the first event arrives.
    res.write(': following the broker log\n\n');
    this.streams.set(res, type);
    res.once('close', () => this.streams.delete(res));
  }

  private broadcast(message: EventMessage): void {
    let line: string | undefined;
    for (const [stream, wanted] of this.streams) {
      if (wanted && wanted !== message.attributes.type) continue;
      line ??= `data: ${JSON.stringify(tailEntry(message))}\n\n`;
      stream.write(line);
    }
  }

  close(): void {
    this.unobserve();
    for (const stream of this.streams.keys()) stream.end();
    this.streams.clear();
  }
}
