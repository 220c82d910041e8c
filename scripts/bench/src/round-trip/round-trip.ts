import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * A request/reply round trip: the bench process sends requests and receives replies; the
 * handler that turns a request into a reply, and the broker when there is one, run in processes
 * of their own, as they do in a cluster, so the bench's own work is not on their event loop.
 */
export interface RoundTrip {
  start(onReply: (sentAt: number) => void): Promise<void>;
  send(sentAt: number, key: string): void;
  stop(): Promise<void>;
  /** the processes it started, by role, for CPU accounting */
  processes(): Array<[string, number | undefined]>;
}

export type RoleName = 'kafkajs-handler' | 'platformatic-handler' | 'http-handler' | 'broker';

export interface RunningRole {
  /** what the role printed when ready, e.g. the URL it listens on */
  ready: Record<string, string>;
  stop(): Promise<void>;
}

export interface SpawnedRole extends RunningRole {
  role: RoleName;
  pid: number | undefined;
}

/** Starts a role (see roles.ts) in a child process and waits for its ready line. */
export async function spawnRole(role: RoleName, config: unknown): Promise<SpawnedRole> {
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(__dirname, 'roles.js'), role, JSON.stringify(config)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    // The first line says ready; the rest (the role's logs) pass through, so its pipe never fills.
    lines.once('line', (line) => {
      resolve(JSON.parse(line) as Record<string, string>);
      lines.on('line', (log) => process.stderr.write(`[${role}] ${log}\n`));
    });
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code} before ready`)));
  });
  return {
    ready,
    role,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The roles' processes, named by role, for CPU accounting. */
export function processesOf(roles: SpawnedRole[]): Array<[string, number | undefined]> {
  return roles.map((role): [string, number | undefined] => [role.role, role.pid]);
}
