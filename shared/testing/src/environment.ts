/** The servers the global setup resolved, as every test worker sees them. */
export function testServerEnv(): {
  databaseUrl: string;
  redisUrl: string;
  kafkaBrokers: string;
  source: string;
} {
  const { DATABASE_URL, REDIS_URL, KAFKA_BROKERS, EVENTLINE_TEST_SERVERS } = process.env;
  if (!DATABASE_URL || !REDIS_URL || !KAFKA_BROKERS) {
    throw new Error(
      'test servers are not resolved: run the suite through jest (its global setup starts them)',
    );
  }
  return {
    databaseUrl: DATABASE_URL,
    redisUrl: REDIS_URL,
    kafkaBrokers: KAFKA_BROKERS,
    source: EVENTLINE_TEST_SERVERS ?? 'unknown',
  };
}

/**
 * Polls until `probe` returns a value, or fails after `timeoutMs` with what it last saw. The
 * default is generous: the full suite runs two systems of a dozen processes each on two cores.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `condition not met within ${timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
