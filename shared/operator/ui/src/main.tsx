import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { DeadLetters } from './pages/dead-letters';
import { Execution } from './pages/execution';
import { OverviewPage } from './pages/overview';
import { ParkedEvents } from './pages/parked';
import './style.css';

/** Pages live in the hash, so the servers need no fallback for deep links. */
function useRoute(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

const PAGES = [
  { path: '', label: 'Overview' },
  { path: 'dead-letters', label: 'Dead letters' },
  { path: 'parked', label: 'Parked events' },
  { path: 'executions', label: 'Executions' },
];

function App() {
  const [page = '', id] = useRoute();
  return (
    <>
      <header>
        <h1>Eventline</h1>
        <nav>
          {PAGES.map((p) => (
            <a key={p.path} href={`#/${p.path}`} class={page === p.path ? 'active' : ''}>
              {p.label}
            </a>
          ))}
        </nav>
      </header>
      <main>
        {page === 'dead-letters' ? (
          <DeadLetters />
        ) : page === 'parked' ? (
          <ParkedEvents />
        ) : page === 'executions' ? (
          <Execution id={id ? decodeURIComponent(id) : undefined} />
        ) : (
          <OverviewPage />
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
