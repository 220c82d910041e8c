// Drives the official CloudEvents SDK programs (go/main.go with sdk-go, python/ce_py.py with the
// `cloudevents` package), built and installed into .cache/interop by scripts/interop/install.sh.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repositoryRoot } from '../support/repository';

const root = repositoryRoot();

/** `python` is the Python SDK's current API (cloudevents.core), `python-v1` its 1.x API. */
export type Sdk = 'go' | 'python' | 'python-v1';
export type Mode = 'binary' | 'structured';

/** An event as a test describes it to an SDK program: `data` is JSON, or text when not JSON. */
export interface EventSpec {
  id: string;
  source: string;
  type: string;
  subject?: string;
  time?: string;
  dataschema?: string;
  datacontenttype: string;
  extensions?: Record<string, string>;
  data: unknown;
}

/** What an SDK's receiver read from one request: every attribute as a string, data as text. */
export interface ReceivedRecord {
  attributes: Record<string, string>;
  data: string;
}

/** A cold Go module cache builds sdk-go in a few minutes on a busy machine. */
export const installTimeoutMs = 15 * 60 * 1000;

let installed: Record<'go' | 'python', string[]> | undefined;

/** Builds or finds the SDK programs (idempotent, cached) and returns the command of each. */
export function ensureSdks(): Record<'go' | 'python', string[]> {
  if (!installed) {
    const [goBin, python] = execFileSync('bash', [join(root, 'scripts/interop/install.sh')], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: installTimeoutMs,
    })
      .trim()
      .split('\n');
    installed = {
      go: [goBin as string],
      python: [python as string, join(root, 'test/interop/python/ce_py.py')],
    };
  }
  return installed;
}

/** The SDK program's command line for `command`, its flags spelled as the program spells them. */
function commandLine(sdk: Sdk, command: string, flags: Array<[string, string]>): string[] {
  const program = ensureSdks()[sdk === 'go' ? 'go' : 'python'];
  const dash = sdk === 'go' ? '-' : '--';
  const api: Array<[string, string]> =
    sdk === 'go' ? [] : [['api', sdk === 'python' ? 'core' : 'v1']];
  return [
    ...program,
    command,
    ...[...api, ...flags].flatMap(([name, value]) => [`${dash}${name}`, value]),
  ];
}

/**
 * Sends the events with the SDK in the given mode, as the sender `token` names (none: no
 * Authorization header), and returns each one's HTTP status. Never synchronous: the ingress it
 * posts to usually runs in the test's own process.
 */
export async function sendWith(
  sdk: Sdk,
  mode: Mode,
  target: string,
  events: EventSpec[],
  token?: string,
): Promise<number[]> {
  const [command, ...args] = commandLine(sdk, 'send', [
    ['target', target],
    ['mode', mode],
    ...(token ? [['token', token] as [string, string]] : []),
  ]);
  const child = spawn(command as string, args);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(JSON.stringify(events));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${sdk} sender exited ${code}: ${stderr}`);
  return stdout
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { status: number }).status);
}

export interface ReceiverOptions {
  replyType: string;
  replySubject: string;
  replyExtensions: Record<string, string>;
  /** how the reply is written; the Go SDK answers in binary mode, as its client always does */
  replyMode?: Mode;
}

export interface RunningReceiver {
  url: string;
  records: ReceivedRecord[];
  stop(): Promise<void>;
}

/** Starts the SDK's receiver: it records each event it reads and answers with a reply event. */
export async function startReceiver(sdk: Sdk, options: ReceiverOptions): Promise<RunningReceiver> {
  const [command, ...args] = commandLine(sdk, 'receive', [
    ['reply-type', options.replyType],
    ['reply-subject', options.replySubject],
    ...Object.entries(options.replyExtensions).map(([name, value]): [string, string] => [
      'reply-ext',
      `${name}=${value}`,
    ]),
    ...(sdk === 'go' ? [] : [['reply-mode', options.replyMode ?? 'binary'] as [string, string]]),
  ]);
  const child: ChildProcessWithoutNullStreams = spawn(command as string, args);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const records: ReceivedRecord[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${sdk} receiver exited ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const parsed = JSON.parse(line) as { port?: number } & ReceivedRecord;
      if (parsed.port !== undefined) resolve(parsed.port);
      else records.push(parsed);
    });
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    records,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
