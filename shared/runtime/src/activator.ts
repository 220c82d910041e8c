import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  instruments,
  SECONDS_BUCKETS,
  type Logger,
  type ObservableResult,
} from '@eventline/telemetry';
import { answerProtocolErrors } from '@eventline/cloudevents-http';
import type { HandlerProcess } from './handler-process';
import { passThrough } from './pass-through';

export interface ActivatorOptions {
  host: string;
  /** how long a handler's process may go without a request before it is stopped */
  idleWindowMs: number;
  log: Logger;
}

/** One handler behind the activator: a stable address in front of a process that comes and goes. */
interface Revision {
  process: HandlerProcess;
  idleWindowMs: number;
  server: http.Server;
  url: string;
  inFlight: number;
  idleTimer?: NodeJS.Timeout;
  /** a start or stop under way; requests wait for it */
  transition?: Promise<void>;
  starts: number;
  /** requests passed through the stable address, and requests routed to the process directly */
  requests: { passedThrough: number; direct: number };
}

const activatorInstruments = instruments((meter) => ({
  processes: meter.createObservableGauge('eventline.activator.processes', {
    description: 'Handler processes running behind the activator (1 or 0 per handler)',
    unit: '{process}',
  }),
  coldStarts: meter.createCounter('eventline.activator.cold_starts', {
    description: 'Handler processes the activator started for a request that found none',
    unit: '{start}',
  }),
  coldStartDuration: meter.createHistogram('eventline.activator.cold_start.duration', {
    description: 'From a cold start to the process answering ready, the request held meanwhile',
    unit: 's',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  }),
}));

/** Waits until no start or stop of the revision is under way, whatever its outcome. */
async function settled(revision: Revision): Promise<void> {
  while (revision.transition) await revision.transition.catch(() => undefined);
}

/**
 * What Knative's activator and autoscaler do for a Service with min-scale 0, on one machine:
 * each handler gets a fixed address; a request for a handler with no process starts it and is
 * held until the process is ready, then passed through; a process that has had no request for
 * the idle window is stopped (SIGTERM: it drains and exits). A process that died (a crash, a
 * kill -9) is started again by the next request, as a pod would be.
 */
export class Activator {
  private readonly revisions = new Map<string, Revision>();
  private readonly byAddress = new Map<string, Revision>();
  private readonly agent = new http.Agent({ keepAlive: true });
  private readonly metrics = activatorInstruments();
  private readonly observeProcesses = (result: ObservableResult) => {
    for (const [handler, revision] of this.revisions)
      result.observe(revision.process.running ? 1 : 0, { handler });
  };

  constructor(private readonly options: ActivatorOptions) {
    this.metrics.processes.addCallback(this.observeProcesses);
  }

  /** Puts `process` behind a stable address; returns that address. Nothing starts yet. */
  async add(process: HandlerProcess, idleWindowMs = this.options.idleWindowMs): Promise<string> {
    const server = http.createServer((req, res) => void this.forward(revision, req, res));
    answerProtocolErrors(server);
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.options.host, () => resolve());
    });
    const url = `http://${this.options.host}:${(server.address() as AddressInfo).port}`;
    const revision: Revision = {
      process,
      idleWindowMs,
      server,
      url,
      inFlight: 0,
      starts: 0,
      requests: { passedThrough: 0, direct: 0 },
    };
    this.revisions.set(process.name, revision);
    this.byAddress.set(url, revision);
    return url;
  }

  /**
   * The handler's own address for one request to its stable address `url`, for as long as that
   * request lasts (`release` when it ends): an in-process caller (the local broker, the gateway)
   * then sends to the process itself, as Knative takes the activator out of a Service's data
   * path once it has pods, and saves the pass-through. The request still counts as in flight, so
   * no idle stop comes meanwhile, and a stopped process is started first. Undefined for an
   * address that is not the activator's.
   */
  async direct(url: string): Promise<{ url: string; release(): void } | undefined> {
    const address = new URL(url);
    const revision = this.byAddress.get(address.origin);
    if (!revision) return undefined;
    revision.inFlight += 1;
    revision.requests.direct += 1;
    clearTimeout(revision.idleTimer);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      revision.inFlight -= 1;
      if (revision.inFlight === 0) this.scheduleIdleStop(revision);
    };
    try {
      await this.ensureRunning(revision);
    } catch (err) {
      release();
      throw new Error(`${revision.process.name} did not start: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return { url: `${revision.process.url}${address.pathname}${address.search}`, release };
  }

  /** The requests for `name` so far: through its stable address, and directly to its process. */
  requestsOf(name: string): { passedThrough: number; direct: number } {
    return { ...(this.revisions.get(name)?.requests ?? { passedThrough: 0, direct: 0 }) };
  }

  /** The requests `name` is serving now. */
  inFlightOf(name: string): number {
    return this.revisions.get(name)?.inFlight ?? 0;
  }

  /** How many times the activator started `name`'s process. */
  startsOf(name: string): number {
    return this.revisions.get(name)?.starts ?? 0;
  }

  private async forward(
    revision: Revision,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    revision.inFlight += 1;
    revision.requests.passedThrough += 1;
    clearTimeout(revision.idleTimer);
    const pending: { upstream?: http.ClientRequest } = {};
    res.once('close', () => {
      pending.upstream?.destroy();
      revision.inFlight -= 1;
      if (revision.inFlight === 0) this.scheduleIdleStop(revision);
    });
    try {
      await this.ensureRunning(revision);
    } catch (err) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: `${revision.process.name} did not start: ${(err as Error).message}`,
        }),
      );
      return;
    }
    // A process that went away mid-request (killed, crashed) answers 502, which the broker retries.
    pending.upstream = passThrough(
      req,
      res,
      `${revision.process.url}${req.url ?? '/'}`,
      `${revision.process.name} unavailable`,
      this.agent,
    );
  }

  private async ensureRunning(revision: Revision): Promise<void> {
    await settled(revision);
    if (revision.process.ready) return;
    if (revision.process.running) {
      // Started by someone else (a test restarting what it killed): wait for it to be ready.
      await revision.process.start();
      return;
    }
    const started = Date.now();
    revision.transition = revision.process.start().finally(() => {
      revision.transition = undefined;
    });
    await revision.transition;
    revision.starts += 1;
    const attributes = { handler: revision.process.name };
    this.metrics.coldStarts.add(1, attributes);
    this.metrics.coldStartDuration.record((Date.now() - started) / 1000, attributes);
    this.options.log.info(
      { handler: revision.process.name, ms: Date.now() - started, pid: revision.process.pid },
      `${revision.process.name} started in ${Date.now() - started} ms`,
    );
  }

  private scheduleIdleStop(revision: Revision): void {
    clearTimeout(revision.idleTimer);
    revision.idleTimer = setTimeout(() => void this.stopIdle(revision), revision.idleWindowMs);
  }

  private async stopIdle(revision: Revision): Promise<void> {
    await settled(revision);
    if (revision.inFlight > 0 || !revision.process.running) return;
    revision.transition = revision.process.kill('SIGTERM').finally(() => {
      revision.transition = undefined;
    });
    await revision.transition;
    const idle = revision.idleWindowMs / 1000;
    this.options.log.info(
      { handler: revision.process.name, idleSeconds: idle },
      `${revision.process.name} scaled to zero after ${idle} s idle`,
    );
  }

  /** Closes every address and stops every process. */
  async stop(): Promise<void> {
    this.metrics.processes.removeCallback(this.observeProcesses);
    const revisions = [...this.revisions.values()];
    for (const revision of revisions) clearTimeout(revision.idleTimer);
    await Promise.all(
      revisions.map(async (revision) => {
        await new Promise<void>((resolve) => {
          revision.server.close(() => resolve());
          revision.server.closeAllConnections();
        });
        await settled(revision);
        await revision.process.kill('SIGTERM');
      }),
    );
    this.agent.destroy();
  }
}
