import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, type Overview, type TailEvent } from '../api';
import { usePoll } from '../poll';

const RECENT = 25;

function Sparkline({ series }: { series: number[] }) {
  const width = 300;
  const height = 48;
  const max = Math.max(1, ...series);
  const step = width / Math.max(1, series.length - 1);
  const points = series.map(
    (n, i) => `${(i * step).toFixed(1)},${(height - (n / max) * height).toFixed(1)}`,
  );
  return (
    <svg
      class="sparkline"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label="events per second, last minute"
    >
      <polyline points={points.join(' ')} />
    </svg>
  );
}

function Card({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div class="card">
      <div class="label">{label}</div>
      <div class="value" data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

/** The broker log as it is appended to, newest first; placed orders link to their execution. */
function useRecentEvents(): TailEvent[] {
  const [events, setEvents] = useState<TailEvent[]>([]);
  useEffect(() => {
    const source = new EventSource('/admin/events');
    source.onmessage = (message) => {
      const event = JSON.parse(message.data as string) as TailEvent;
      setEvents((list) => [event, ...list].slice(0, RECENT));
    };
    return () => source.close();
  }, []);
  return events;
}

const orderIdOf = (event: TailEvent): string | undefined => {
  const id = (event.data as { orderId?: unknown } | null)?.orderId;
  return typeof id === 'string' ? id : undefined;
};

export function OverviewPage() {
  const overview = usePoll(() => getJson<Overview>('/admin/overview'), 1000);
  const recent = useRecentEvents();
  if (overview.error instanceof ApiError && overview.error.status === 404)
    return (
      <p class="note">
        The live overview is served by the local gateway (npm start); dead letters, parked events
        and executions work here.
      </p>
    );
  const o = overview.value;
  if (!o)
    return (
      <p class="note">
        {overview.error ? `Overview unavailable: ${overview.error.message}` : 'Loading…'}
      </p>
    );
  // Idle triggers (nothing delivered, nothing behind) are counted, not listed.
  const triggers = o.triggers
    .filter((t) => t.lag + t.delivered + t.deadLettered + t.dropped > 0)
    .sort((a, b) => b.lag - a.lag || a.name.localeCompare(b.name));
  const idle = o.triggers.length - triggers.length;
  return (
    <>
      <section class="cards">
        <Card
          label="events / s (10 s)"
          value={o.events.perSecond.toFixed(1)}
          testId="events-per-second"
        />
        <Card
          label="events in the log"
          value={String(o.events.appended)}
          testId="events-appended"
        />
        <Card
          label="delivery error rate"
          value={`${(o.deliveries.errorRate * 100).toFixed(1)} %`}
          testId="error-rate"
        />
        <Card
          label="handler processes running"
          value={
            o.topology === 'processes'
              ? `${o.activeProcesses} / ${o.processes.length}`
              : 'in-process'
          }
          testId="active-processes"
        />
        <div class="card wide">
          <div class="label">events / s, last minute</div>
          <Sparkline series={o.events.series} />
        </div>
      </section>
      <section class="columns">
        <div>
          <h2>Recent events</h2>
          <table data-testid="recent-events">
            <thead>
              <tr>
                <th>type</th>
                <th>source</th>
                <th>execution</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((e) => {
                const orderId = orderIdOf(e);
                return (
                  <tr key={`${e.source} ${e.id}`}>
                    <td>{e.type.replace(/^dev\.eventline\./, '')}</td>
                    <td>{e.source}</td>
                    <td>
                      {orderId ? (
                        <a href={`#/executions/${encodeURIComponent(orderId)}`}>
                          {orderId.slice(0, 8)}
                        </a>
                      ) : (
                        ''
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {recent.length === 0 ? <p class="note">No events since this page opened.</p> : null}
        </div>
        <div>
          <h2>Lag per trigger</h2>
          <table data-testid="triggers">
            <thead>
              <tr>
                <th>trigger</th>
                <th class="num">lag</th>
                <th class="num">delivered</th>
                <th class="num">dead-lettered</th>
              </tr>
            </thead>
            <tbody>
              {triggers.map((t) => (
                <tr key={t.name} class={t.lag > 0 ? 'behind' : ''}>
                  <td>{t.name}</td>
                  <td class="num">{t.lag}</td>
                  <td class="num">{t.delivered}</td>
                  <td class="num">{t.deadLettered + t.dropped}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {idle > 0 ? <p class="note">{`${idle} idle triggers not shown`}</p> : null}
          {o.topology === 'processes' ? (
            <>
              <h2>Handler processes</h2>
              <ul class="processes" data-testid="processes">
                {o.processes.map((p) => (
                  <li
                    key={p.name}
                    class={p.running ? 'up' : 'down'}
                    title={p.pid ? `pid ${p.pid}` : 'scaled to zero'}
                  >
                    {p.name}
                    <span class="starts">{p.starts > 0 ? ` ×${p.starts}` : ''}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      </section>
    </>
  );
}
