import { useState } from 'preact/hooks';
import { getJson, post, type Letter } from '../api';
import { usePoll } from '../poll';

export function DeadLetters() {
  const letters = usePoll(() => getJson<{ letters: Letter[] }>('/dead-letters?limit=200'), 3000);
  const [busy, setBusy] = useState<number | null>(null);
  const [message, setMessage] = useState<string>('');
  const replay = async (letter: Letter) => {
    setBusy(letter.letterId);
    try {
      await post(`/dead-letters/${letter.letterId}/replay`);
      setMessage(`Letter ${letter.letterId} replayed: ${letter.type} ${String(letter.event.id)}`);
    } catch (error) {
      setMessage(`Letter ${letter.letterId} not replayed: ${(error as Error).message}`);
    } finally {
      setBusy(null);
      letters.reload();
    }
  };
  const list = letters.value?.letters ?? [];
  return (
    <>
      <h2>Dead letters</h2>
      <p class="note">
        Events no subscriber took, with why. A replay publishes the event again, as it was before
        delivery failed.
      </p>
      {message ? (
        <p class="message" role="status">
          {message}
        </p>
      ) : null}
      {letters.error ? <p class="error">{letters.error.message}</p> : null}
      <table data-testid="dead-letters">
        <thead>
          <tr>
            <th>id</th>
            <th>received</th>
            <th>type</th>
            <th>status</th>
            <th>reason</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((l) => (
            <tr key={l.letterId} data-letter-id={l.letterId}>
              <td>{l.letterId}</td>
              <td>{new Date(l.receivedAt).toLocaleTimeString()}</td>
              <td>{l.type}</td>
              <td>{l.status ?? '-'}</td>
              <td class="reason" title={l.destination ?? ''}>
                {l.response ?? '-'}
              </td>
              <td>
                <button disabled={busy === l.letterId} onClick={() => void replay(l)}>
                  Replay
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {letters.value && list.length === 0 ? <p class="note">No dead letters.</p> : null}
    </>
  );
}
