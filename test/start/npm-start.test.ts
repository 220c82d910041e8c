import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { findRoutingFile } from '@eventline/routing';
import { freePort } from '@eventline/runtime';
import { eventually } from '@eventline/testing';

const CLI = path.resolve(__dirname, '../../shared/runtime/dist/cli.js');
const IDLE_WINDOW_MS = 2_000;

/** The pids of the processes whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        // pid (comm) state ppid ...: comm may hold spaces, so split after its closing paren.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

const count = (text: string, line: string) => text.split(line).length - 1;

describe('npm start: the whole system on embedded defaults, nothing installed', () => {
  let child: ChildProcess;
  let output = '';

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('given no server URLs, when started, then it prints where to look, a flag set with PUT reads back enabled, orders reach COMPLETED or CANCELLED with the reason on handler processes started for them, which are gone after the idle window and start again for the next order', async () => {
    const [edgePort, brokerPort] = [await freePort(), await freePort()];
    const env = {
      ...process.env,
      LOG_LEVEL: 'info',
      EVENTLINE_IDLE_WINDOW_MS: String(IDLE_WINDOW_MS),
    };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'KAFKA_BROKERS']) delete env[name];
    child = spawn(
      process.execPath,
      [CLI, '--edge-port', String(edgePort), '--broker-port', String(brokerPort)],
      { env },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

    await eventually(
      async () => (output.includes('Eventline is running') ? true : undefined),
      60_000,
      100,
    );
    expect(output).toContain(`API          http://127.0.0.1:${edgePort}`);
    expect(output).toContain(`broker       http://127.0.0.1:${brokerPort}/eventline/default`);
    expect(output).toMatch(/postgres\s+embedded PGlite/);
    expect(output).toMatch(/scale to zero .* stops after 2 s idle \(EVENTLINE_IDLE_WINDOW_MS\)/);
    expect(output).toMatch(/order-saga-timers\s+\* \* \* \* \*/);
    expect(childrenOf(child.pid!)).toEqual([]);

    const api = `http://127.0.0.1:${edgePort}`;
    const put = await fetch(`${api}/flags/embedded`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true }),
    });
    expect(put.status).toBe(202);
    const flag = await eventually(async () => {
      const response = await fetch(`${api}/flags/embedded`);
      return response.ok ? ((await response.json()) as { enabled: boolean }) : undefined;
    });
    expect(flag.enabled).toBe(true);

    // Carts keep their state in Redis: without REDIS_URL they run beside the stand-in.
    expect(output).toMatch(/redis\s+embedded in-memory stand-in, for carts-api, cart-abandonment/);
    const added = await fetch(`${api}/carts/embedded/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'widget', quantity: 2, unitPrice: 500 }),
    });
    expect(added.status).toBeLessThan(300);
    const cart = (await (await fetch(`${api}/carts/embedded`)).json()) as { total: number };
    expect(cart.total).toBe(1000);

    await fetch(`${api}/inventory/widget`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ available: 3 }),
    });
    const place = async (quantity: number) => {
      const response = await fetch(`${api}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          customerId: 'c-1',
          region: 'eu-west',
          items: [{ sku: 'widget', quantity, unitPrice: 1500 }],
        }),
      });
      expect(response.status).toBe(202);
      return ((await response.json()) as { orderId: string }).orderId;
    };
    const finalStatus = (orderId: string) =>
      eventually(async () => {
        const response = await fetch(`${api}/orders/${orderId}`);
        const view = (await response.json()) as { status: string; reason: string | null };
        // 404 until the read model has caught up with the order, then PENDING until the saga ends.
        return response.ok && view.status !== 'PENDING' ? view : undefined;
      }, 60_000);
    expect(await finalStatus(await place(2))).toMatchObject({ status: 'COMPLETED', reason: null });
    const cancelled = await finalStatus(await place(5));
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.reason).toContain('insufficient stock for widget');
    expect(output).toMatch(/order-saga started in \d+ ms/);

    await eventually(
      async () => (childrenOf(child.pid!).length === 0 ? true : undefined),
      60_000,
      200,
    );
    expect(output).toContain('order-saga scaled to zero after 2 s idle');
    const sagaStarts = count(output, 'order-saga started in');
    expect(await finalStatus(await place(1))).toMatchObject({ status: 'COMPLETED', reason: null });
    // Started again for it; more than once when a cold step outlasts the 2 s idle window.
    expect(count(output, 'order-saga started in')).toBeGreaterThan(sagaStarts);
  }, 150_000);
});

describe('npm start -- --topology in-process: every handler inside the one process', () => {
  let child: ChildProcess;

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('given no server URLs, when started in-process, then it caches in the embedded Redis stand-in, starts no process, a flag reads back and the gateway answers the event catalog', async () => {
    const edgePort = await freePort();
    const env = { ...process.env, LOG_LEVEL: 'warn' };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'KAFKA_BROKERS']) delete env[name];
    child = spawn(
      process.execPath,
      [CLI, '--topology', 'in-process', '--edge-port', String(edgePort), '--broker-port', '0'],
      { env },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(
      async () => (output.includes('Eventline is running') ? true : undefined),
      60_000,
      100,
    );
    expect(output).toContain('Eventline is running (in-process');
    expect(output).toMatch(/redis\s+embedded in-memory stand-in/);
    expect(output).not.toContain('scale to zero');

    const api = `http://127.0.0.1:${edgePort}`;
    const put = await fetch(`${api}/flags/in-process`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true }),
    });
    expect(put.status).toBe(202);
    const flag = await eventually(async () => {
      const response = await fetch(`${api}/flags/in-process`);
      return response.ok ? ((await response.json()) as { enabled: boolean }) : undefined;
    });
    expect(flag.enabled).toBe(true);
    const catalog = (await (await fetch(`${api}/catalog`)).json()) as { asyncapi: string };
    expect(catalog.asyncapi).toBe('3.0.0');
    const page = await (await fetch(`${api}/catalog.html`)).text();
    expect(page).toContain('<section id="dev.eventline.flags.changed">');
    expect(childrenOf(child.pid!)).toEqual([]);
  }, 90_000);
});

describe('npm start refuses bad configuration before starting anything', () => {
  const start = (env: NodeJS.ProcessEnv) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const refused = spawn(process.execPath, [CLI, '--edge-port', '0', '--broker-port', '0'], {
        env: { ...process.env, ...env },
      });
      let stderr = '';
      refused.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      refused.once('exit', (code) => resolve({ code, stderr }));
    });

  it('given an idle window that is not a number, when started, then it exits naming the variable', async () => {
    const { code, stderr } = await start({ EVENTLINE_IDLE_WINDOW_MS: 'a minute' });
    expect(code).toBe(1);
    expect(stderr).toContain('EVENTLINE_IDLE_WINDOW_MS: must be a number of milliseconds');
  });

  it('given a job whose schedule is not cron, when started, then it exits naming the routing entry', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eventline-routing-'));
    const file = path.join(dir, 'routing.yaml');
    const routing = parse(readFileSync(findRoutingFile(), 'utf8'));
    routing.handlers['order-saga-timers'].schedule = 'every minute';
    writeFileSync(file, stringify(routing));
    try {
      const { code, stderr } = await start({ EVENTLINE_ROUTING: file });
      expect(code).toBe(1);
      expect(stderr).toContain(
        'handlers.order-saga-timers.schedule "every minute" is not a cron expression',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
