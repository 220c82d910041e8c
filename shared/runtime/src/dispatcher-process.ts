import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { SenderAllowance, TriggerSpec } from '@eventline/broker';
import type { Logger } from '@eventline/telemetry';
import { freePort, waitUntilReady } from './handler-process';

/** A crashed dispatcher comes back after this, as its Deployment's pod would be replaced. */
const RESTART_DELAY_MS = 1000;
/** Joining the dispatcher group waits out a dead member's session and its partitions' release. */
const READY_TIMEOUT_MS = 60_000;

/** dist/dispatcher-main.js of this package, also when this module runs from its sources (jest). */
function dispatcherEntryPoint(): string {
  const manifest = require.resolve('@eventline/runtime/package.json');
  return path.join(path.dirname(manifest), 'dist', 'dispatcher-main.js');
}

export interface DispatcherProcessOptions {
  namespace: string;
  brokerName: string;
  kafkaBrokers: string;
  triggers: TriggerSpec[];
  partitions?: number;
  duplicateDeliveries?: number;
  /** the senders' grants its triggers' replies are checked against; none: replies unchecked */
  senders?: SenderAllowance[];
  env: NodeJS.ProcessEnv;
  log: Logger;
  output: (line: string) => void;
}

/**
 * The broker's dispatcher as an OS process of its own, kept running: one that exits without
 * being stopped (a crash, a kill -9) is started again, on the same port, and its triggers resume
 * from their committed offsets once the dispatcher group hands it the partitions.
 */
export class DispatcherProcess {
  private child?: ChildProcess;
  private port?: number;
  private stopping = false;
  private starting?: Promise<void>;
  private restartTimer?: NodeJS.Timeout;
  /** how many times it was started again after an exit nobody asked for */
  restarts = 0;

  constructor(private readonly options: DispatcherProcessOptions) {}

  get url(): string {
    if (this.port === undefined) throw new Error('the dispatcher has not started');
    return `http://127.0.0.1:${this.port}`;
  }

  /** the OS process id while running */
  get pid(): number | undefined {
    const child = this.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /** Starts it and resolves once its triggers consume; a start under way is waited for. */
  start(): Promise<void> {
    this.starting ??= this.spawn().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async spawn(): Promise<void> {
    this.port ??= await freePort();
    const { options } = this;
    let exit: string | undefined;
    const child = spawn(process.execPath, [dispatcherEntryPoint()], {
      env: {
        ...options.env,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        KAFKA_BROKERS: options.kafkaBrokers,
        EVENTLINE_NAMESPACE: options.namespace,
        EVENTLINE_BROKER_NAME: options.brokerName,
        EVENTLINE_DISPATCHER_TRIGGERS: JSON.stringify(options.triggers),
        EVENTLINE_BROKER_PARTITIONS: options.partitions?.toString() ?? '',
        EVENTLINE_DUPLICATE_DELIVERIES: options.duplicateDeliveries?.toString() ?? '',
        EVENTLINE_DISPATCHER_SENDERS: options.senders ? JSON.stringify(options.senders) : '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) =>
        chunk.split('\n').filter(Boolean).forEach(options.output),
      );
    }
    child.once('exit', (code, signal) => {
      exit = signal ? `signal ${signal}` : `exit code ${code}`;
      if (this.stopping) return;
      options.log.warn({ pid: child.pid, exit }, `dispatcher exited (${exit}); starting it again`);
      this.restartTimer = setTimeout(() => {
        this.restarts += 1;
        this.start().catch((err: unknown) =>
          options.log.error({ err }, 'dispatcher did not start again'),
        );
      }, RESTART_DELAY_MS);
    });
    await waitUntilReady(this.url, READY_TIMEOUT_MS, () => exit, child.pid);
  }

  /** Sends a signal, as a crash or an operator would, and waits for the process to be gone. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || this.pid === undefined) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await gone;
  }

  /** Stops it for good: SIGTERM, so it settles and commits its deliveries in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    await this.starting?.catch(() => undefined);
    await this.kill('SIGTERM');
  }
}
