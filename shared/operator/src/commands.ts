import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { CliError, EXIT, SystemClient } from './client';
import { placeOrders } from './load';
import { renderTimeline, sagaTimeline, type HistoryEntry } from './timeline';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** The projections a system serves, by the name the CLI takes, with where their API lives. */
export const PROJECTIONS: Record<string, { path: string; description: string }> = {
  'order-view': {
    path: '/orders/projections/order-view',
    description: 'the order status read model (GET /orders/:id)',
  },
};

interface GlobalOptions {
  url: string;
  json: boolean;
}

interface Letter {
  letterId: number;
  type: string;
  event: Record<string, unknown>;
  destination: string | null;
  status: number | null;
  response: string | null;
  receivedAt: string;
  replayedAt: string | null;
}

interface Parked {
  position: number;
  streamId: string;
  type: string;
  error: string;
  parkedAt: string;
}

interface OrderView {
  orderId: string;
  status: string;
  reason: string | null;
  history: HistoryEntry[];
}

function wholeNumber(name: string, min = 0) {
  return (value: string): number => {
    if (!/^\d{1,15}$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`${name} must be a whole number of at least ${min}.`);
    return Number(value);
  };
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0)
      throw new InvalidArgumentError(`${name} must be a number greater than 0.`);
    return parsed;
  };
}

function globals(command: Command): GlobalOptions & { client: SystemClient } {
  const options = command.optsWithGlobals<GlobalOptions>();
  return { ...options, client: new SystemClient(options.url) };
}

function print(json: boolean, value: unknown, text: () => string[]): void {
  const lines = json ? [JSON.stringify(value, null, 2)] : text();
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}

/** Text cut to `max` characters, for one line of a table. */
const short = (text: string | null, max: number) =>
  text === null ? '-' : text.length > max ? `${text.slice(0, max - 1)}…` : text;

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
  );
}

function deadLetterCommands(program: Command): void {
  const group = program
    .command('dead-letters')
    .description('events no subscriber took, with why; replay them once the cause is fixed');

  group
    .command('list')
    .description('lists dead letters (those not replayed yet, unless --all)')
    .option('--all', 'replayed letters too')
    .option('--limit <n>', 'at most this many (1-500)', wholeNumber('--limit', 1), 100)
    .action(async (options: { all?: boolean; limit: number }, command: Command) => {
      const { client, json } = globals(command);
      const query = `?limit=${options.limit}${options.all ? '&pending=false' : ''}`;
      const { body } = await client.request<{ letters: Letter[]; next?: number }>(
        'GET',
        `/dead-letters${query}`,
      );
      print(json, body, () =>
        body.letters.length === 0
          ? ['no dead letters']
          : table([
              ['ID', 'RECEIVED', 'TYPE', 'STATUS', 'REASON', ...(options.all ? ['REPLAYED'] : [])],
              ...body.letters.map((l) => [
                String(l.letterId),
                l.receivedAt,
                l.type,
                l.status === null ? '-' : String(l.status),
                short(l.response, 60),
                ...(options.all ? [l.replayedAt ?? '-'] : []),
              ]),
            ]),
      );
    });

  group
    .command('show')
    .description('shows one dead letter: where it failed, why, and the event')
    .argument('<id>', 'the letter id', wholeNumber('<id>'))
    .action(async (id: number, _options: unknown, command: Command) => {
      const { client, json } = globals(command);
      const { body } = await client.request<Letter>('GET', `/dead-letters/${id}`);
      print(json, body, () => [
        `letter       ${body.letterId}`,
        `type         ${body.type}`,
        `event id     ${String(body.event.id)} from ${String(body.event.source)}`,
        `received     ${body.receivedAt}`,
        `replayed     ${body.replayedAt ?? 'no'}`,
        `destination  ${body.destination ?? '-'}`,
        `status       ${body.status ?? 'none (no response)'}`,
        `reason       ${body.response ?? '-'}`,
        'event',
        ...JSON.stringify(body.event, null, 2)
          .split('\n')
          .map((line) => `  ${line}`),
      ]);
    });

  group
    .command('replay')
    .description('publishes dead letters again, as they were before delivery failed')
    .argument('<ids...>', 'letter ids', (value: string, previous: number[] = []) => [
      ...previous,
      wholeNumber('<ids>')(value),
    ])
    .action(async (ids: number[], _options: unknown, command: Command) => {
      const { client, json } = globals(command);
      const replayed: Array<{ letterId: number; id: string; type: string }> = [];
      for (const letterId of ids) {
        const { body } = await client.request<{ replayed: { id: string; type: string } }>(
          'POST',
          `/dead-letters/${letterId}/replay`,
        );
        replayed.push({ letterId, ...body.replayed });
      }
      print(json, { replayed }, () =>
        replayed.map((r) => `replayed letter ${r.letterId}: ${r.type} ${r.id}`),
      );
    });
}

function projectionOption(): Option {
  return new Option('--projection <name>', 'the projection')
    .choices(Object.keys(PROJECTIONS))
    .default('order-view');
}

function parkedCommands(program: Command): void {
  const group = program
    .command('parked')
    .description('events a projection could not apply, parked with why while it went on');

  group
    .command('list')
    .description("lists a projection's parked events, in log order")
    .addOption(projectionOption())
    .option('--limit <n>', 'at most this many (1-500)', wholeNumber('--limit', 1), 100)
    .action(async (options: { projection: string; limit: number }, command: Command) => {
      const { client, json } = globals(command);
      const { path } = PROJECTIONS[options.projection]!;
      const { body } = await client.request<{ parked: Parked[] }>(
        'GET',
        `${path}/parked?limit=${options.limit}`,
      );
      print(json, body, () =>
        body.parked.length === 0
          ? [`no parked events in ${options.projection}`]
          : table([
              ['POSITION', 'PARKED', 'STREAM', 'TYPE', 'ERROR'],
              ...body.parked.map((p) => [
                String(p.position),
                p.parkedAt,
                p.streamId,
                p.type,
                short(p.error, 70),
              ]),
            ]),
      );
    });

  group
    .command('replay')
    .description('applies a parked event again, once its cause is fixed (exit 1 if it still fails)')
    .argument('<position>', "the event's global position", wholeNumber('<position>'))
    .addOption(projectionOption())
    .action(async (position: number, options: { projection: string }, command: Command) => {
      const { client, json } = globals(command);
      const { path } = PROJECTIONS[options.projection]!;
      const { body } = await client.request<{ replayed: number }>(
        'POST',
        `${path}/parked/${position}/replay`,
      );
      print(json, body, () => [`applied parked event ${position} to ${options.projection}`]);
    });
}

function executionCommands(program: Command): void {
  program
    .command('executions')
    .description("sagas' executions (an order's saga)")
    .command('show')
    .description("shows an execution's steps on a timeline")
    .argument('<id>', 'the execution id (the order id)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const { client, json } = globals(command);
      const { body } = await client.request<OrderView>('GET', `/orders/${encodeURIComponent(id)}`);
      const timeline = sagaTimeline(body.history);
      print(
        json,
        { id: body.orderId, status: body.status, reason: body.reason, ...timeline },
        () => [
          `execution ${body.orderId}: ${body.status}${body.reason ? ` (${body.reason})` : ''}, ${timeline.totalMs} ms since ${timeline.startedAt ?? '-'}`,
          ...renderTimeline(timeline),
        ],
      );
    });
}

/** Reads server-sent events off a response body; calls `onData` with each event's data. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  onData: (data: string) => boolean,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      if (data && !onData(data)) return;
    }
  }
}

function eventCommands(program: Command): void {
  program
    .command('events')
    .description('the broker log')
    .command('tail')
    .description(
      'follows the broker log: every event appended from now on (needs the local gateway)',
    )
    .option('--type <type>', 'only events of this CloudEvent type')
    .option('--limit <n>', 'stop after this many events', wholeNumber('--limit', 1))
    .action(async (options: { type?: string; limit?: number }, command: Command) => {
      const { client, json } = globals(command);
      const controller = new AbortController();
      const query = options.type ? `?type=${encodeURIComponent(options.type)}` : '';
      const response = await client.send(
        'GET',
        `/admin/events${query}`,
        undefined,
        {
          accept: 'text/event-stream',
        },
        controller.signal,
      );
      if (response.status !== 200 || !response.body)
        throw new CliError(
          `GET /admin/events: HTTP ${response.status}: the broker log is followed on the local gateway (npm start)`,
          response.status === 404 ? EXIT.notFound : EXIT.failed,
        );
      process.stderr.write(
        `following ${client.baseUrl}${options.type ? ` (type ${options.type})` : ''}\n`,
      );
      let seen = 0;
      await readEvents(response.body, (data) => {
        const event = JSON.parse(data) as Record<string, unknown>;
        process.stdout.write(
          json
            ? `${data}\n`
            : `${String(event.time ?? new Date().toISOString())}  ${String(event.type)}  ${String(event.source)}  ${String(event.id)}${event.partitionkey ? `  key=${String(event.partitionkey)}` : ''}\n`,
        );
        seen += 1;
        return options.limit === undefined || seen < options.limit;
      });
      controller.abort();
    });
}

function projectionCommands(program: Command): void {
  program
    .command('projections')
    .description('read models built from the event store')
    .command('rebuild')
    .description('rebuilds a projection from the event store, in one transaction')
    .addArgument(new Argument('<name>', 'the projection').choices(Object.keys(PROJECTIONS)))
    .action(async (name: string, _options: unknown, command: Command) => {
      const { client, json } = globals(command);
      const { body } = await client.request<{ replayedEvents: number; position: number }>(
        'POST',
        `${PROJECTIONS[name]!.path}/rebuild`,
      );
      print(json, body, () => [
        `rebuilt ${name} from ${body.replayedEvents} events (up to position ${body.position})`,
      ]);
    });
}

function loadCommands(program: Command): void {
  program
    .command('load')
    .description('generates load')
    .command('orders')
    .description('places orders at a fixed rate, with a live progress bar and running p50/p99')
    .requiredOption('--rate <n>', 'orders per second', positiveNumber('--rate'))
    .requiredOption('--seconds <s>', 'for how long', positiveNumber('--seconds'))
    .option('--sku <sku>', 'the sku every order buys', 'load')
    .option(
      '--stock <n>',
      "set the sku's stock first (default: enough for every order)",
      wholeNumber('--stock'),
    )
    .action(
      async (
        options: { rate: number; seconds: number; sku: string; stock?: number },
        command: Command,
      ) => {
        const { client, json } = globals(command);
        const total = Math.max(1, Math.round(options.rate * options.seconds));
        await client.request('PUT', `/inventory/${encodeURIComponent(options.sku)}`, {
          available: options.stock ?? total,
        });
        const bar =
          !json && process.stderr.isTTY
            ? new SingleBar({
                format:
                  'orders |{bar}| {value}/{total} | accepted {accepted} | failed {failed} | p50 {p50} ms | p99 {p99} ms',
                hideCursor: true,
              })
            : undefined;
        bar?.start(total, 0, { accepted: 0, failed: 0, p50: '-', p99: '-' });
        const report = await placeOrders(client, {
          rate: options.rate,
          seconds: options.seconds,
          sku: options.sku,
          onProgress: (p) =>
            bar?.update(p.done, {
              accepted: p.accepted,
              failed: p.failed,
              p50: p.p50.toFixed(1),
              p99: p.p99.toFixed(1),
            }),
        });
        bar?.stop();
        print(json, report, () => [
          `${report.accepted}/${report.total} orders accepted in ${report.seconds} s (${report.achievedRate}/s)`,
          `latency p50 ${report.latencyMs.p50} ms, p90 ${report.latencyMs.p90} ms, p99 ${report.latencyMs.p99} ms, max ${report.latencyMs.max} ms`,
          `outcomes ${Object.entries(report.outcomes)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ')}`,
          ...(report.sampleOrderIds[0]
            ? [`e.g. eventline executions show ${report.sampleOrderIds[0]}`]
            : []),
        ]);
        if (report.failed > 0) process.exitCode = EXIT.failed;
      },
    );
}

function overviewCommand(program: Command): void {
  program
    .command('overview')
    .description(
      "the dashboard's figures: events/s, error rate, lag per trigger, processes (local gateway)",
    )
    .action(async (_options: unknown, command: Command) => {
      const { client, json } = globals(command);
      const { body } = await client.request<{
        events: { appended: number; perSecond: number };
        deliveries: { errorRate: number };
        activeProcesses: number;
        triggers: Array<{ name: string; delivered: number; deadLettered: number; lag: number }>;
      }>('GET', '/admin/overview');
      print(json, body, () => [
        `events ${body.events.appended} (${body.events.perSecond.toFixed(1)}/s), error rate ${(body.deliveries.errorRate * 100).toFixed(1)} %, ${body.activeProcesses} handler processes running`,
        ...table([
          ['TRIGGER', 'DELIVERED', 'DEAD-LETTERED', 'LAG'],
          ...body.triggers.map((t) => [
            t.name,
            String(t.delivered),
            String(t.deadLettered),
            String(t.lag),
          ]),
        ]),
      ]);
    });
}

/**
 * Adds the operator's commands to `program`: they talk to a running system over HTTP at `--url`
 * (EVENTLINE_URL), print text or `--json`, and end with the codes of EXIT.
 */
export function addOperatorCommands(program: Command): Command {
  program
    .addOption(
      new Option('--url <url>', 'the system to talk to (its public API)')
        .env('EVENTLINE_URL')
        .default(DEFAULT_URL),
    )
    .option('--json', 'print JSON, for scripts', false)
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.ok} done, ${EXIT.failed} the system answered with an error, ${EXIT.usage} bad command line, ${EXIT.notFound} not found, ${EXIT.unreachable} no system at --url.`,
    );
  deadLetterCommands(program);
  parkedCommands(program);
  executionCommands(program);
  eventCommands(program);
  projectionCommands(program);
  loadCommands(program);
  overviewCommand(program);
  return program;
}
