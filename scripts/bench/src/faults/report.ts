import { totalDoubleEffects } from './books';
import { scenarioFailed, type ScenarioResult } from './campaign';

/** The time-to-recover target: a probe completes within this of the fault's end. */
export const RECOVERY_TARGET_MS = 30_000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function refusals(refused: Record<string, number>): string {
  const entries = Object.entries(refused);
  return entries.length === 0 ? '0' : entries.map(([why, n]) => `${n} (${why})`).join(', ');
}

function doubles(result: ScenarioResult): string {
  const total = totalDoubleEffects(result.doubleEffects);
  if (total === 0) return '0';
  const named = Object.entries(result.doubleEffects).filter(([, n]) => n > 0);
  return `**${total}** (${named.map(([what, n]) => `${what} ${n}`).join(', ')})`;
}

function books(result: ScenarioResult): string {
  const { books: b } = result;
  const money = `${b.charged} − ${b.refunded} = ${b.charged - b.refunded} vs ${b.revenue}`;
  if (b.ok) return `yes (${money})`;
  const why = [
    ...(b.stockNotConserved.length > 0 ? [`stock of ${b.stockNotConserved.join(', ')}`] : []),
    ...(b.paymentsAgree ? [] : ['orders.payments disagrees']),
  ];
  return `**no** (${money}${why.length > 0 ? `; ${why.join('; ')}` : ''})`;
}

function recovery(result: ScenarioResult): string {
  if (result.recoveryMs === undefined) return '**none**';
  const text = seconds(result.recoveryMs);
  return result.recoveryMs < RECOVERY_TARGET_MS ? text : `**${text}**`;
}

function statuses(result: ScenarioResult): string {
  return Object.entries(result.statuses)
    .map(([status, n]) => `${n} ${status.toLowerCase()}`)
    .join(', ');
}

/** The campaign's table, one row per scenario, in Markdown. */
export function resultsTable(results: ScenarioResult[]): string[] {
  return [
    '| scenario | fault | offered | accepted | refused | terminal | lost | double effects | books reconciled | time to recover | retried deliveries | crashed processes | outcomes | what the fault hit | verdict |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.scenario} | ${r.fault} | ${r.offered} | ${r.accepted} | ${refusals(r.refused)} | ${r.terminal} | ${r.lost > 0 ? `**${r.lost}**` : 0} | ${doubles(r)} | ${books(r)} | ${recovery(r)} | ${r.retried} | ${r.crashes} | ${statuses(r)} | ${r.evidence} | ${scenarioFailed(r) ? `**FAILED**${r.problems.length > 0 ? `: ${r.problems.join('; ')}` : ''}` : 'passed'} |`,
    ),
  ];
}

export interface RunFacts {
  machine: string;
  date: string;
  commit: string;
  rate: number;
  scenarioSeconds: number;
}

/** RELIABILITY.md: how the campaign runs, what each column means, and the table measured. */
export function reliabilityDocument(results: ScenarioResult[], run: RunFacts): string {
  return `${[
    '# Reliability: the fault campaign',
    '',
    '`npm run faults` (written by it; `npm run faults -- --short` and `npm test` run the short',
    'mode, about 15 s per scenario, without writing this file). Code: `scripts/bench/src/faults/`.',
    '',
    `Measured ${run.date} on ${run.machine}, commit ${run.commit}: ${run.rate} orders/s offered,`,
    `each fault going on for ${run.scenarioSeconds} s.`,
    '',
    ...resultsTable(results),
    '',
    '## How a scenario runs',
    '',
    'The campaign starts Postgres, Redis and Kafka of its own (`scripts/servers/servers.sh` on free',
    'ports with `EVENTLINE_SERVERS_DATA` in a new temporary directory; the Kafka jars come from the',
    "project's cache) so that restarting them never touches the servers other suites use, and",
    'deletes them at the end. On them runs one system for every scenario, as in a cluster: every',
    'handler its own OS process behind the activator (`topology: processes`), the broker on Kafka',
    'with its dispatcher an OS process of its own (`dispatcher: process`, started again when it',
    'dies, as its Deployment would). A first order goes through before the first scenario (every',
    "process on the saga's path starts cold). Each scenario then, in turn:",
    '',
    '1. Stock is set for skus of its own: two with plenty, two scarce ones that run out part-way',
    '   (later orders for them are cancelled).',
    '2. An open-loop load offers orders at the rate whatever the answers: one or two skus, one to',
    '   three of each; one customer in ten is `decline-*` (the payment is declined, the stock',
    '   released), one order in ten goes to the region whose shipping fails (charged, refunded,',
    '   released).',
    '3. After 5 s the fault strikes: `kill-handlers` kills with SIGKILL a random running process of',
    '   the order path every 2 s, one serving requests when there is one (checking each victim',
    '   exists and has a pid, that each comes back under a new pid, and that the broker retried',
    '   deliveries: the kills cut work in flight); `restart-postgres` stops Postgres with `pg_ctl stop -m fast` and starts it again;',
    '   `restart-kafka` stops Kafka (SIGTERM, a controlled shutdown) and starts it again;',
    '   `stop-redis` shuts Redis down for 10 s; `kill-dispatcher` kills the dispatcher process with',
    '   SIGKILL, and the local system starts it again as its Deployment would.',
    "4. From the fault's end a probe order is placed every second until one completes.",
    "5. The load goes on until the fault's duration after it struck, then every accepted order has",
    '   the recovery window (120 s, 60 s in the short mode) to reach a terminal status.',
    "6. The books of the scenario's orders (the load's and the probes') are read from Postgres.",
    '',
    'The jobs that finish what a crash left (`outbox-sweep`, `order-saga-timers`) are fired every',
    "5 s rather than on their one-minute PingSource schedule, and a crashed holder's outbox rows are",
    "the sweep's after 10 s (`EVENTLINE_OUTBOX_LEASE_MS`, `EVENTLINE_OUTBOX_SWEEP_AFTER_MS`): the",
    'recovery window is shorter than two PingSource minutes.',
    '',
    '## Columns',
    '',
    '- **offered**: orders the load POSTed to `/orders`.',
    '- **accepted**: orders the edge answered 202 with an order id.',
    '- **refused**: the other answers, by HTTP status or client error (`timeout`: no answer in 10 s;',
    '  `429`: admission control shed it; `502`/`503`: the edge handler was down).',
    "- **terminal**: accepted orders, the load's and the probes', that reached COMPLETED, CANCELLED",
    '  or FAILED within the recovery window.',
    "- **lost**: accepted orders (the load's and the probes') not terminal after the recovery",
    '  window. Must be 0.',
    '- **double effects**: must be 0. The sum of: orders with more than one `charged` row in the',
    "  payment provider's ledger (`payment_provider.charges`) or more than one refund",
    '  (`payment_provider.refunds`); skus with a negative level or more shipped than stocked',
    '  (oversold); skus whose `shipped` is not the sum of the quantities of their COMPLETED orders;',
    '  reservations still `held` for an order that is terminal (leaked).',
    "- **books reconciled**: every sku's available + reserved + shipped is what it was stocked with,",
    "  and money adds up: the provider's ledger charged − refunded = the revenue of COMPLETED orders",
    '  (shown as charged − refunded = net vs revenue, in cents), as `orders.payments` agrees.',
    "- **time to recover**: from the fault's end (the last kill, the server answering again) until a",
    '  probe order placed after it completed. Target: under 30 s (bold when over).',
    '- **crashed processes**: handler processes that had run before the scenario and that the',
    '  activator had to start again during it, less the ones the fault killed: processes the fault',
    '  made crash. Not a failure by itself (nothing is lost when a process restarts), but a defect.',
    "- **outcomes**: the scenario's accepted orders and probes by status.",
    '- **what the fault hit**: evidence that it struck live work (kills made and how many cut',
    '  requests in flight, how long the server was away, deliveries the killed dispatcher had made).',
    '- **verdict**: FAILED with a lost order, a double effect, books that do not reconcile or a',
    '  check of the fault itself that failed; `npm run faults` then exits 1.',
  ].join('\n')}\n`;
}
