import { Cron } from 'croner';

/**
 * The schedules a Knative PingSource accepts: robfig/cron's standard parser (five fields, or a
 * descriptor), which its webhook runs, minus `@every`, which PingSource v1 refuses. Croner also
 * takes seconds and Quartz's L, W and #; refusing those here keeps what runs locally deployable.
 */
const DESCRIPTORS = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
]);
/** robfig/cron's field: ranges, steps and lists of numbers or three-letter names (JAN, MON). */
const STANDARD_FIELD =
  /^(?:[*?]|(?:\d+|[A-Za-z]{3})(?:-(?:\d+|[A-Za-z]{3}))?)(?:\/\d+)?(?:,(?:[*?]|(?:\d+|[A-Za-z]{3})(?:-(?:\d+|[A-Za-z]{3}))?)(?:\/\d+)?)*$/;

function cronOf(schedule: string, timezone: string | undefined): Cron {
  return new Cron(schedule, { paused: true, legacyMode: true, ...(timezone ? { timezone } : {}) });
}

/** Why a PingSource would refuse this schedule, or undefined when it is valid. */
export function scheduleProblem(schedule: string, timezone?: string): string | undefined {
  const fields = schedule.trim().split(/\s+/);
  const standard = DESCRIPTORS.has(schedule.trim())
    ? true
    : fields.length === 5 && fields.every((field) => STANDARD_FIELD.test(field));
  if (!standard)
    return `schedule "${schedule}" is not a cron expression: five fields (minute hour day-of-month month day-of-week) or one of ${[...DESCRIPTORS].join(', ')}`;
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: timezone });
    } catch {
      return `timezone "${timezone}" is not an IANA time zone`;
    }
  }
  try {
    if (!cronOf(schedule, timezone).nextRun()) return `schedule "${schedule}" never fires`;
  } catch (err) {
    return `schedule "${schedule}" is not a cron expression: ${(err as Error).message}`;
  }
  return undefined;
}

/** When a valid schedule fires next after `from`. */
export function nextFireTime(schedule: string, timezone: string | undefined, from: Date): Date {
  const next = cronOf(schedule, timezone).nextRun(from);
  if (!next) throw new Error(`schedule "${schedule}" never fires`);
  return next;
}
