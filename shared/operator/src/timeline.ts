/** One entry of an execution's history, as the order view records it. */
export interface HistoryEntry {
  at: string;
  event: string;
  detail?: unknown;
}

export type StepOutcome = 'started' | 'succeeded' | 'failed' | 'completed' | 'ended';

/** A step on the timeline: from the entry before it to the entry that settled it. */
export interface TimelineStep {
  label: string;
  event: string;
  outcome: StepOutcome;
  /** milliseconds since the execution started */
  startMs: number;
  endMs: number;
  reason?: string;
}

export interface Timeline {
  startedAt: string | null;
  totalMs: number;
  steps: TimelineStep[];
}

const field = (detail: unknown, name: string): string | undefined => {
  const value = (detail as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
};

function outcomeOf(event: string): StepOutcome {
  if (event === 'StepSucceeded') return 'succeeded';
  if (event === 'StepFailed') return 'failed';
  if (event === 'OrderCompleted') return 'completed';
  if (event === 'OrderPlaced') return 'started';
  return 'ended';
}

/**
 * A saga's history as steps on a time axis: each step runs from the entry that preceded it (its
 * request went out then) to the entry that recorded its outcome.
 */
export function sagaTimeline(history: HistoryEntry[]): Timeline {
  const entries = [...history].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const first = entries[0];
  if (!first) return { startedAt: null, totalMs: 0, steps: [] };
  const origin = Date.parse(first.at);
  const steps = entries.map((entry, i): TimelineStep => {
    const previous = entries[i - 1] ?? entry;
    const step = field(entry.detail, 'step');
    const phase = field(entry.detail, 'phase');
    const reason = field(entry.detail, 'reason');
    return {
      label: step ? `${step}${phase && phase !== 'action' ? ` (${phase})` : ''}` : entry.event,
      event: entry.event,
      outcome: outcomeOf(entry.event),
      startMs: Date.parse(previous.at) - origin,
      endMs: Date.parse(entry.at) - origin,
      ...(reason ? { reason } : {}),
    };
  });
  return { startedAt: first.at, totalMs: steps.at(-1)!.endMs, steps };
}

/** The timeline as text: one line per step, a bar scaled to `width` columns. */
export function renderTimeline(timeline: Timeline, width = 40): string[] {
  const scale = timeline.totalMs > 0 ? width / timeline.totalMs : 0;
  const labelWidth = Math.max(8, ...timeline.steps.map((s) => s.label.length));
  return timeline.steps.map((step) => {
    const from = Math.floor(step.startMs * scale);
    const to = Math.max(from + 1, Math.ceil(step.endMs * scale));
    const bar = `${' '.repeat(from)}${'█'.repeat(to - from)}`.padEnd(width + 1);
    const at = `+${step.endMs} ms`.padStart(10);
    const reason = step.reason ? `  ${step.reason}` : '';
    return `${at}  ${step.label.padEnd(labelWidth)}  ${bar} ${step.outcome}${reason}`;
  });
}
