import { spawn } from 'node:child_process';
import { EventStore } from '@eventline/eventstore';
import { eventually, uniqueName } from '@eventline/testing';
import { placeOrder, setStock, terminal } from '../orders/orders-system';
import {
  CLI,
  eventline,
  publishBadFlagChange,
  startOperatorWorld,
  type OperatorWorld,
} from './operator-system';

interface Letter {
  letterId: number;
  type: string;
  event: { id: string };
  status: number | null;
  response: string | null;
}

const COMMANDS = [
  [],
  ['start'],
  ['dead-letters'],
  ['dead-letters', 'list'],
  ['dead-letters', 'show'],
  ['dead-letters', 'replay'],
  ['parked'],
  ['parked', 'list'],
  ['parked', 'replay'],
  ['executions'],
  ['executions', 'show'],
  ['events'],
  ['events', 'tail'],
  ['projections'],
  ['projections', 'rebuild'],
  ['load'],
  ['load', 'orders'],
  ['overview'],
];

describe('eventline without a system', () => {
  it.each(COMMANDS.map((c) => [c.join(' ') || '(the program)', c]))(
    '%s has --help',
    async (_name, command) => {
      const run = await eventline([...command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        `Usage: eventline${command.length ? ` ${command.join(' ')}` : ''}`,
      );
    },
  );

  it('given a bad command line, when run, then it exits 2 naming what is wrong', async () => {
    const rate = await eventline(['load', 'orders', '--rate', 'many', '--seconds', '1']);
    expect(rate.code).toBe(2);
    expect(rate.stderr).toContain('--rate must be a number greater than 0');
    const projection = await eventline(['projections', 'rebuild', 'no-such-view']);
    expect(projection.code).toBe(2);
    expect(projection.stderr).toContain('Allowed choices are order-view');
    const url = await eventline(['dead-letters', 'list', '--url', 'ftp://x']);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('--url must be an http(s) URL');
  });

  it('given no system at the URL, when a command runs, then it exits 4 naming the URL', async () => {
    const run = await eventline(['dead-letters', 'list'], { EVENTLINE_URL: 'http://127.0.0.1:9' });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('no system answered at http://127.0.0.1:9');
  });
});

describe('eventline against a running system on real Postgres, Redis and Kafka', () => {
  let world: OperatorWorld;
  let url: string[];

  beforeAll(async () => {
    world = await startOperatorWorld('in-process');
    url = ['--url', world.system.edgeUrl];
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('given orders under load, when load orders runs, then every order is accepted and p50/p99 are reported', async () => {
    const sku = uniqueName('load');
    const run = await eventline([
      ...url,
      '--json',
      'load',
      'orders',
      '--rate',
      '10',
      '--seconds',
      '2',
      '--sku',
      sku,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      total: number;
      accepted: number;
      failed: number;
      outcomes: Record<string, number>;
      latencyMs: { p50: number; p99: number };
      sampleOrderIds: string[];
    };
    expect(report).toMatchObject({ total: 20, accepted: 20, failed: 0, outcomes: { '202': 20 } });
    expect(report.latencyMs.p50).toBeGreaterThan(0);
    expect(report.latencyMs.p99).toBeGreaterThanOrEqual(report.latencyMs.p50);
    // --stock defaults to enough for every order: the saga completes.
    const view = await terminal(world, report.sampleOrderIds[0]!, 60_000);
    expect(view.status).toBe('COMPLETED');
  }, 120_000);

  it("given a completed order, when executions show runs, then its saga's steps are on a timeline in order", async () => {
    await setStock(world, 'timeline-sku', 5);
    const orderId = await placeOrder(world, {
      items: [{ sku: 'timeline-sku', quantity: 1, unitPrice: 500 }],
    });
    await terminal(world, orderId, 60_000);

    const json = await eventline([...url, '--json', 'executions', 'show', orderId]);
    expect(json.code).toBe(0);
    const timeline = JSON.parse(json.stdout) as {
      status: string;
      totalMs: number;
      steps: Array<{ label: string; outcome: string; startMs: number; endMs: number }>;
    };
    expect(timeline.status).toBe('COMPLETED');
    expect(timeline.steps.map((s) => [s.label, s.outcome])).toEqual([
      ['OrderPlaced', 'started'],
      ['reserve-inventory', 'succeeded'],
      ['charge-payment', 'succeeded'],
      ['create-shipment', 'succeeded'],
      ['OrderCompleted', 'completed'],
    ]);
    for (const [i, step] of timeline.steps.entries()) {
      expect(step.endMs).toBeGreaterThanOrEqual(step.startMs);
      if (i > 0) expect(step.startMs).toBe(timeline.steps[i - 1]!.endMs);
    }

    const text = await eventline([...url, 'executions', 'show', orderId]);
    expect(text.stdout).toContain(`execution ${orderId}: COMPLETED`);
    expect(text.stdout).toMatch(/charge-payment +█+ +succeeded/);

    const missing = await eventline([...url, 'executions', 'show', 'no-such-order']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('no order no-such-order');
  }, 120_000);

  it('given events tail --type follows the log, when an order is placed, then its OrderPlaced is printed and nothing of other types', async () => {
    const tail = spawn(process.execPath, [
      CLI,
      ...url,
      '--json',
      'events',
      'tail',
      '--type',
      'dev.eventline.orders.placed',
      '--limit',
      '1',
    ]);
    let stdout = '';
    let stderr = '';
    tail.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    tail.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => tail.once('exit', resolve));
    await eventually(async () => stderr.includes('following') || undefined, 30_000);

    await setStock(world, 'tail-sku', 1);
    const orderId = await placeOrder(world, {
      items: [{ sku: 'tail-sku', quantity: 1, unitPrice: 1 }],
    });

    expect(await exited).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const event = JSON.parse(lines[0]!) as { type: string; data: { orderId: string } };
    expect(event.type).toBe('dev.eventline.orders.placed');
    expect(event.data.orderId).toBe(orderId);
  }, 60_000);

  it('given a dead letter, when listed, shown and replayed, then it leaves the pending list and a second replay fails', async () => {
    const id = uniqueName('bad-flag');
    expect((await publishBadFlagChange(world.system, id)).status).toBe(202);
    const letter = await eventually(async () => {
      const run = await eventline([...url, '--json', 'dead-letters', 'list']);
      const { letters } = JSON.parse(run.stdout) as { letters: Letter[] };
      return letters.find((l) => l.event.id === id);
    }, 30_000);
    expect(letter.status).toBe(400);

    const shown = await eventline([...url, 'dead-letters', 'show', String(letter.letterId)]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`event id     ${id} from /tests/operator`);
    expect(shown.stdout).toMatch(/reason +.*enabled/);
    const list = await eventline([...url, 'dead-letters', 'list']);
    expect(list.stdout).toMatch(
      new RegExp(`^${letter.letterId} .*dev\\.eventline\\.flags\\.changed +400 `, 'm'),
    );

    const replayed = await eventline([...url, 'dead-letters', 'replay', String(letter.letterId)]);
    expect(replayed.stderr).toBe('');
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain(
      `replayed letter ${letter.letterId}: dev.eventline.flags.changed ${id}`,
    );
    // Still refused by its handler, the replayed event comes back as a letter of its own.
    await eventually(async () => {
      const run = await eventline([...url, '--json', 'dead-letters', 'list']);
      const { letters } = JSON.parse(run.stdout) as { letters: Letter[] };
      const again = letters.filter((l) => l.event.id === id);
      return again.length === 1 && again[0]!.letterId !== letter.letterId ? again : undefined;
    }, 30_000);

    const twice = await eventline([...url, 'dead-letters', 'replay', String(letter.letterId)]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('already replayed');
    const missing = await eventline([...url, 'dead-letters', 'show', '999999999']);
    expect(missing.code).toBe(3);
  }, 90_000);

  it('given an event the order view cannot hold, when parked list and replay run, then it is listed with why and a replay that still fails exits 1', async () => {
    const orderId = uniqueName('poison');
    await new EventStore(world.pool).append(`order-${orderId}`, [
      {
        type: 'OrderPlaced',
        data: {
          orderId,
          customerId: 'c-old',
          region: 'eu-west',
          items: [{ sku: 'old', quantity: 1, unitPrice: 1e20 }],
          total: 1e20,
          placedAt: new Date().toISOString(),
        },
      },
    ]);
    // Placing an order brings the view up to date, past the poison event.
    await setStock(world, 'after-poison', 1);
    await terminal(
      world,
      await placeOrder(world, { items: [{ sku: 'after-poison', quantity: 1, unitPrice: 1 }] }),
      60_000,
    );

    const run = await eventline([...url, '--json', 'parked', 'list']);
    expect(run.code).toBe(0);
    const { parked } = JSON.parse(run.stdout) as {
      parked: Array<{ position: number; streamId: string; error: string }>;
    };
    const poison = parked.find((p) => p.streamId === `order-${orderId}`);
    expect(poison?.error).toMatch(/out of range for type bigint/);
    const text = await eventline([...url, 'parked', 'list']);
    expect(text.stdout).toMatch(
      new RegExp(`^${poison!.position} .*order-${orderId} +OrderPlaced`, 'm'),
    );

    const replay = await eventline([...url, 'parked', 'replay', String(poison!.position)]);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toMatch(
      /HTTP 422: event \d+ still fails: .*out of range for type bigint/,
    );
  }, 90_000);

  it('given orders in the event store, when projections rebuild runs, then the view is rebuilt from them', async () => {
    const run = await eventline([...url, '--json', 'projections', 'rebuild', 'order-view']);
    expect(run.code).toBe(0);
    const rebuilt = JSON.parse(run.stdout) as { replayedEvents: number; position: number };
    expect(rebuilt.replayedEvents).toBeGreaterThan(20);
    expect(rebuilt.position).toBeGreaterThanOrEqual(rebuilt.replayedEvents);
  }, 60_000);

  it("given deliveries so far, when overview runs, then it shows the broker's counts per trigger", async () => {
    const run = await eventline([...url, '--json', 'overview']);
    expect(run.code).toBe(0);
    const overview = JSON.parse(run.stdout) as {
      events: { appended: number };
      triggers: Array<{ name: string; delivered: number; deadLettered: number; lag: number }>;
    };
    expect(overview.events.appended).toBeGreaterThan(0);
    const saga = overview.triggers.find((t) => t.name === 'order-saga');
    expect(saga?.delivered).toBeGreaterThan(0);
    const flags = overview.triggers.find((t) => t.name === 'flags-projection');
    expect(flags?.deadLettered).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
