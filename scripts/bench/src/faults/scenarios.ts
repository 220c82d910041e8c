import type { LocalSystem } from '@eventline/runtime';
import type { CampaignServers, ServerName } from './campaign-servers';
import { scrapedSum } from './scraped-counters';
import { seededRandom } from './steady-orders';

/** What a fault is injected into. */
export interface FaultTarget {
  system: LocalSystem;
  servers: CampaignServers;
  /** how long a fault that lasts (the kills) goes on */
  durationMs: number;
  log(line: string): void;
}

/** What a fault did: when it ended, what shows it hit live work, and what went wrong with it. */
export interface FaultOutcome {
  endedAt: number;
  /** the handlers whose processes the fault itself killed, once per kill */
  killed: string[];
  evidence: string;
  /** checks of the fault itself that failed (a victim without a pid, a pid that did not change) */
  problems: string[];
}

export interface Scenario {
  name: string;
  /** the fault, as the report's table names it */
  fault: string;
  /**
   * the fault cuts deliveries in flight, so the broker must have retried some: none retried means
   * it struck no live work
   */
  cutsDeliveries?: boolean;
  inject(target: FaultTarget): Promise<FaultOutcome>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every process an order's saga runs through: each has work whenever orders flow. */
const ORDER_PATH = [
  'orders-api',
  'order-saga',
  'reserve-inventory',
  'charge-payment',
  'create-shipment',
  'release-inventory',
  'refund-payment',
  'notify-customer',
  'revenue-analytics',
];
const KILL_EVERY_MS = 2000;
/** A killed process comes back on the next request for it, which the load brings within this. */
const RESTART_WAIT_MS = 30_000;

/** Polls `check` every 100 ms until it holds or `ms` pass; whether it held. */
async function within(ms: number, check: () => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

const killHandlers: Scenario = {
  name: 'kill-handlers',
  fault: `kill -9 a random handler process every ${KILL_EVERY_MS / 1000} s`,
  cutsDeliveries: true,
  async inject({ system, durationMs, log }) {
    const random = seededRandom(1);
    const problems: string[] = [];
    const killed = new Map<string, Set<number>>();
    const until = Date.now() + durationMs;
    const victims: string[] = [];
    let busyKills = 0;
    while (Date.now() < until) {
      const running = ORDER_PATH.filter((name) => system.processes.get(name)?.pid !== undefined);
      // A process with requests under way, when there is one: the kill then cuts work in flight.
      const busy = running.filter((name) => (system.activator?.inFlightOf(name) ?? 0) > 0);
      const candidates = busy.length > 0 ? busy : running;
      const name = candidates[Math.floor(random() * candidates.length)];
      const victim = name === undefined ? undefined : system.processes.get(name);
      const pid = victim?.pid;
      if (!name || !victim || pid === undefined) {
        problems.push(
          `no running handler process of the order path to kill at kill ${victims.length + 1}`,
        );
      } else {
        const inFlight = system.activator?.inFlightOf(name) ?? 0;
        await victim.kill('SIGKILL');
        killed.set(name, new Set([...(killed.get(name) ?? []), pid]));
        victims.push(name);
        if (inFlight > 0) busyKills += 1;
        log(`killed ${name} (pid ${pid}, ${inFlight} requests in flight)`);
      }
      await sleep(Math.min(KILL_EVERY_MS, Math.max(0, until - Date.now())));
    }
    const endedAt = Date.now();
    for (const [name, pids] of killed) {
      const process = system.processes.get(name);
      const restarted = await within(RESTART_WAIT_MS, () => {
        const pid = process?.pid;
        return pid !== undefined && !pids.has(pid);
      });
      if (!restarted)
        problems.push(`${name} was not running again under a new pid ${RESTART_WAIT_MS} ms after`);
    }
    return {
      endedAt,
      killed: victims,
      evidence: `${victims.length} kills of ${killed.size} handlers (${busyKills} with requests in flight)`,
      problems,
    };
  },
};

/** `servers.sh down NAME`, `offMs`, then `servers.sh up NAME`: the fault ends once it answers. */
function serverOutage(
  name: string,
  server: ServerName,
  fault: string,
  offMs: number,
  how: string,
): Scenario {
  return {
    name,
    fault,
    async inject({ servers }) {
      const started = Date.now();
      await servers.down(server);
      const downAt = Date.now();
      await sleep(offMs);
      await servers.up(server);
      const endedAt = Date.now();
      return {
        endedAt,
        killed: [],
        evidence: `${how} ${downAt - started} ms, away ${endedAt - downAt} ms`,
        problems: [],
      };
    },
  };
}

const DISPATCHER_RESTART_WAIT_MS = 60_000;

const killDispatcher: Scenario = {
  name: 'kill-dispatcher',
  fault: "kill -9 the broker's dispatcher process",
  async inject({ system, log }) {
    const dispatcher = system.dispatcher;
    const pid = dispatcher?.pid;
    if (!dispatcher || pid === undefined)
      return {
        endedAt: Date.now(),
        killed: [],
        evidence: '',
        problems: ['no dispatcher process to kill'],
      };
    const restartsBefore = dispatcher.restarts;
    const delivered = await scrapedSum(
      `${dispatcher.url}/metrics`,
      'eventline_broker_deliveries_total',
    );
    await dispatcher.kill('SIGKILL');
    const endedAt = Date.now();
    log(`killed the dispatcher (pid ${pid})`);
    const back = await within(
      DISPATCHER_RESTART_WAIT_MS,
      () => dispatcher.restarts > restartsBefore && dispatcher.pid !== undefined,
    );
    const problems =
      back && dispatcher.pid !== pid
        ? []
        : [
            `the dispatcher was not running again under a new pid within ${DISPATCHER_RESTART_WAIT_MS} ms`,
          ];
    return {
      endedAt,
      killed: [],
      evidence: `pid ${pid} killed after ${delivered} deliveries, pid ${dispatcher.pid ?? 'none'} started in its place`,
      problems,
    };
  },
};

const REDIS_OFF_MS = 10_000;

/** The campaign's scenarios, one fault each, in the order they run. */
export const SCENARIOS: Scenario[] = [
  killHandlers,
  serverOutage(
    'restart-postgres',
    'postgres',
    'restart Postgres (pg_ctl stop -m fast, start)',
    0,
    'fast shutdown in',
  ),
  serverOutage('restart-kafka', 'kafka', 'restart Kafka (SIGTERM, start)', 0, 'shutdown in'),
  serverOutage(
    'stop-redis',
    'redis',
    `stop Redis for ${REDIS_OFF_MS / 1000} s`,
    REDIS_OFF_MS,
    'shutdown in',
  ),
  killDispatcher,
];
