import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/** A free loopback port, for a child that must know its port before it starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Waits for `url`'s /readyz; with `pid`, only an answer from that process counts. */
export async function waitUntilReady(
  url: string,
  timeoutMs: number,
  exited?: () => string | undefined,
  pid?: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exit = exited?.();
    if (exit) throw new Error(`${url} exited before it was ready: ${exit}`);
    try {
      const response = await fetch(`${url}/readyz`);
      const answeredBy = response.ok
        ? ((await response.json()) as { pid?: number }).pid
        : undefined;
      if (response.ok && (pid === undefined || answeredBy === pid)) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The entry point a service package's image runs (its package.json `bin`), found by Node's module
 * resolution of `@eventline/service-<package>`, as any installed package is.
 */
export function serviceEntryPoint(packageName: string): string {
  const manifestFile = require.resolve(`@eventline/service-${packageName}/package.json`);
  const { name, bin } = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    name: string;
    bin?: unknown;
  };
  if (typeof bin !== 'string')
    throw new Error(`${name}: package.json must name its entry point as "bin"`);
  return path.resolve(path.dirname(manifestFile), bin);
}

/**
 * A handler running as its own OS process, exactly as its container runs it. It can be killed
 * (SIGKILL for crash tests) and started again on the same port.
 */
export class HandlerProcess {
  private child?: ChildProcess;
  private exitReason?: string;
  private port?: number;
  private starting?: Promise<void>;

  constructor(
    readonly name: string,
    private readonly entryPoint: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly output: (line: string) => void,
  ) {}

  /** Where it listens; known once it has started. */
  get url(): string {
    if (this.port === undefined) throw new Error(`${this.name} has not started`);
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Starts the process on a free port, or on its port again after a kill; a start while it runs
   * or is starting waits for that one. A free port can be taken by another process between the
   * probe and the child's bind (systems starting side by side); the child then exits and the
   * first start tries another port.
   */
  start(timeoutMs = 30_000): Promise<void> {
    if (this.running && !this.starting) return Promise.resolve();
    this.starting ??= this.spawnOnAPort(timeoutMs).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async spawnOnAPort(timeoutMs: number): Promise<void> {
    const firstStart = this.port === undefined;
    for (let attempt = 1; ; attempt += 1) {
      this.port ??= await freePort();
      try {
        await this.spawn(this.port, timeoutMs);
        return;
      } catch (err) {
        if (!firstStart || attempt >= 3 || this.exitReason === undefined) throw err;
        this.port = undefined;
      }
    }
  }

  private async spawn(port: number, timeoutMs: number): Promise<void> {
    this.exitReason = undefined;
    const child = spawn(process.execPath, [this.entryPoint], {
      env: {
        ...this.env,
        EVENTLINE_HANDLER: this.name,
        PORT: String(port),
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach(this.output));
    }
    child.once('exit', (code, signal) => {
      this.exitReason = signal ? `signal ${signal}` : `exit code ${code}`;
    });
    await waitUntilReady(this.url, timeoutMs, () => this.exitReason, child.pid);
  }

  /** the OS process id while running */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitReason === undefined;
  }

  /** running and answering: started, not still starting */
  get ready(): boolean {
    return this.running && this.starting === undefined;
  }

  /** Sends a signal and waits for the process to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || this.exitReason) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await gone;
  }
}
