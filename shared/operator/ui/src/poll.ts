import { useEffect, useState } from 'preact/hooks';

export interface Polled<T> {
  value?: T;
  error?: Error;
  reload(): void;
}

/**
 * Loads now and again every `everyMs` while the page shows it; each load waits for the one
 * before, so a slow system is never asked twice at once.
 */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, key: unknown = ''): Polled<T> {
  const [state, setState] = useState<{ value?: T; error?: Error }>({});
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const value = await load();
        if (!stopped) setState({ value });
      } catch (error) {
        if (!stopped) setState((s) => ({ value: s.value, error: error as Error }));
      }
      if (!stopped && everyMs > 0) timer = setTimeout(() => void run(), everyMs);
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key, generation]);
  return { ...state, reload: () => setGeneration((g) => g + 1) };
}
