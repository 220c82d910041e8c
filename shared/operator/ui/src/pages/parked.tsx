import { useState } from 'preact/hooks';
import { getJson, post, type Parked } from '../api';
import { usePoll } from '../poll';

const PARKED = '/orders/projections/order-view/parked';

export function ParkedEvents() {
  const parked = usePoll(() => getJson<{ parked: Parked[] }>(`${PARKED}?limit=200`), 3000);
  const [message, setMessage] = useState('');
  const replay = async (event: Parked) => {
    try {
      await post(`${PARKED}/${event.position}/replay`);
      setMessage(`Event ${event.position} applied to the order view.`);
    } catch (error) {
      setMessage(`Event ${event.position} still parked: ${(error as Error).message}`);
    }
    parked.reload();
  };
  const list = parked.value?.parked ?? [];
  return (
    <>
      <h2>Parked events (order view)</h2>
      <p class="note">
        Events the projection could not apply, parked with why while the events after them went on.
      </p>
      {message ? (
        <p class="message" role="status">
          {message}
        </p>
      ) : null}
      {parked.error ? <p class="error">{parked.error.message}</p> : null}
      <table data-testid="parked">
        <thead>
          <tr>
            <th>position</th>
            <th>parked</th>
            <th>stream</th>
            <th>type</th>
            <th>error</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((p) => (
            <tr key={p.position}>
              <td>{p.position}</td>
              <td>{new Date(p.parkedAt).toLocaleTimeString()}</td>
              <td>{p.streamId}</td>
              <td>{p.type}</td>
              <td class="reason">{p.error}</td>
              <td>
                <button onClick={() => void replay(p)}>Replay</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {parked.value && list.length === 0 ? <p class="note">No parked events.</p> : null}
    </>
  );
}
