import { randomUUID } from 'node:crypto';
import { CloudEvent, type Event } from '@eventline/cloudevents-http';
import {
  nextFireTime,
  pingSourceSource,
  PING_EVENT_TYPE,
  type PingSchedule,
} from '@eventline/routing';
import type { Logger } from '@eventline/telemetry';

/** setTimeout's longest delay; a later fire time is approached in steps of it. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export interface PingSourcesOptions {
  namespace: string;
  /** where the pings go: the broker, as a PingSource's sink */
  publish(event: Event): Promise<void>;
  log: Logger;
}

interface Source {
  name: string;
  ping: PingSchedule;
  timer?: NodeJS.Timeout;
}

/**
 * What Knative's PingSource adapter does, for the local system: each source sends one
 * `dev.knative.sources.ping` event with its payload into the broker at every time its schedule
 * names, with the PingSource's `source` attribute, so the same Trigger selects it. A ping the
 * broker cannot take is logged and lost, as the adapter's is; the next one follows on schedule.
 */
export class PingSources {
  private readonly sources = new Map<string, Source>();
  private stopped = false;

  constructor(private readonly options: PingSourcesOptions) {}

  /** Arms the schedule of the job `name`. */
  add(name: string, ping: PingSchedule): void {
    const source: Source = { name, ping };
    this.sources.set(name, source);
    this.arm(source);
  }

  /** The sources and when each fires next. */
  list(): Array<{ name: string; schedule: string; timezone?: string; next: Date }> {
    return [...this.sources.values()].map(({ name, ping }) => ({
      name,
      schedule: ping.schedule,
      ...(ping.timezone ? { timezone: ping.timezone } : {}),
      next: nextFireTime(ping.schedule, ping.timezone, new Date()),
    }));
  }

  /** Sends the ping of `name` now, as its next tick would. */
  async fire(name: string, at = new Date()): Promise<void> {
    const source = this.sources.get(name);
    if (!source) throw new Error(`no PingSource ${name}`);
    await this.options.publish(
      new CloudEvent({
        specversion: '1.0',
        type: PING_EVENT_TYPE,
        source: pingSourceSource(this.options.namespace, name),
        id: randomUUID(),
        time: at.toISOString(),
        ...(source.ping.payload !== undefined
          ? { datacontenttype: 'application/json', data: source.ping.payload }
          : {}),
      }),
    );
  }

  /**
   * Waits for the first fire time after `after`, or after now if that is later: a timer that
   * fires a little early does not fire the same tick twice, and ticks missed while the machine
   * slept are skipped, as cron skips them.
   */
  private arm(source: Source, after = new Date()): void {
    if (this.stopped) return;
    const from = new Date(Math.max(after.getTime(), Date.now()));
    const due = nextFireTime(source.ping.schedule, source.ping.timezone, from);
    const wait = due.getTime() - Date.now();
    if (wait > LONGEST_TIMER_MS) {
      source.timer = setTimeout(() => this.arm(source, after), LONGEST_TIMER_MS);
      return;
    }
    source.timer = setTimeout(
      () => {
        this.fire(source.name, due)
          .catch((err) => this.options.log.warn({ err, pingSource: source.name }, 'ping lost'))
          .finally(() => this.arm(source, due));
      },
      Math.max(wait, 0),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const source of this.sources.values()) clearTimeout(source.timer);
  }
}
