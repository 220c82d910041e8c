import { useState } from 'preact/hooks';
import { sagaTimeline, type Timeline } from '../../../src/timeline';
import { getJson, type OrderView } from '../api';
import { usePoll } from '../poll';

const ROW = 30;
const LABEL = 190;
const WIDTH = 900;

function TimelineChart({ timeline }: { timeline: Timeline }) {
  const plot = WIDTH - LABEL - 90;
  const scale = timeline.totalMs > 0 ? plot / timeline.totalMs : 0;
  const height = timeline.steps.length * ROW + 30;
  return (
    <svg
      class="timeline"
      viewBox={`0 0 ${WIDTH} ${height}`}
      data-testid="timeline"
      role="img"
      aria-label="the execution's steps on a time axis"
    >
      {timeline.steps.map((step, i) => {
        const x = LABEL + step.startMs * scale;
        const w = Math.max(4, (step.endMs - step.startMs) * scale);
        const y = i * ROW + 6;
        return (
          <g key={i} class={`step ${step.outcome}`} data-step={step.label}>
            <text x={LABEL - 10} y={y + 15} text-anchor="end">
              {step.label}
            </text>
            <rect x={x} y={y} width={w} height={ROW - 10} rx={3}>
              <title>{`${step.event}: ${step.startMs}–${step.endMs} ms${step.reason ? `, ${step.reason}` : ''}`}</title>
            </rect>
            <text x={x + w + 6} y={y + 15} class="at">
              {`${step.endMs - step.startMs} ms`}
            </text>
          </g>
        );
      })}
      <line x1={LABEL} x2={LABEL + plot} y1={height - 20} y2={height - 20} class="axis" />
      <text x={LABEL} y={height - 5} class="at">
        0 ms
      </text>
      <text x={LABEL + plot} y={height - 5} text-anchor="end" class="at">
        {`${timeline.totalMs} ms`}
      </text>
    </svg>
  );
}

function Lookup() {
  const [id, setId] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (id.trim()) window.location.hash = `#/executions/${encodeURIComponent(id.trim())}`;
      }}
    >
      <input
        placeholder="order id"
        value={id}
        onInput={(e) => setId((e.target as HTMLInputElement).value)}
      />
      <button type="submit">Open</button>
    </form>
  );
}

export function Execution({ id }: { id?: string }) {
  const view = usePoll(
    () =>
      id ? getJson<OrderView>(`/orders/${encodeURIComponent(id)}`) : Promise.resolve(undefined),
    id ? 1000 : 0,
    id,
  );
  if (!id)
    return (
      <>
        <h2>Executions</h2>
        <p class="note">
          Open an order's saga by its id, or follow a link from the overview's recent events.
        </p>
        <Lookup />
      </>
    );
  const order = view.value;
  const timeline = order ? sagaTimeline(order.history) : undefined;
  return (
    <>
      <h2>
        Execution <code>{id}</code>
      </h2>
      {view.error ? <p class="error">{view.error.message}</p> : null}
      {order && timeline ? (
        <>
          <p>
            <span class={`status ${order.status.toLowerCase()}`} data-testid="execution-status">
              {order.status}
            </span>{' '}
            {order.reason ? `${order.reason} · ` : ''}
            {order.region} · total {order.total} · {timeline.steps.length} entries over{' '}
            {timeline.totalMs} ms
          </p>
          <TimelineChart timeline={timeline} />
        </>
      ) : null}
    </>
  );
}
