import { readLocalSystemEnv } from './config';

describe('the local system configuration', () => {
  it('given no variables, when read, then every server is embedded and the ports are the documented ones', () => {
    expect(readLocalSystemEnv({})).toEqual({
      EVENTLINE_NAMESPACE: 'eventline',
      EVENTLINE_HOST: '127.0.0.1',
      EVENTLINE_EDGE_PORT: 8080,
      EVENTLINE_BROKER_PORT: 8081,
      EVENTLINE_IDLE_WINDOW_MS: 60_000,
      LOG_LEVEL: 'info',
      EVENTLINE_SENDER_AUTHORIZATION: 'enabled',
      EVENTLINE_DATABASE_ROLES: 'per-package',
    });
  });

  it('given empty server URLs, when read, then they count as unset', () => {
    const env = readLocalSystemEnv({ DATABASE_URL: '', REDIS_URL: '', KAFKA_BROKERS: '' });

    expect([env.DATABASE_URL, env.REDIS_URL, env.KAFKA_BROKERS]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('given servers, when read, then their URLs and brokers are kept', () => {
    const env = readLocalSystemEnv({
      DATABASE_URL: 'postgres://u:p@db:5432/app',
      REDIS_URL: 'redis://cache:6379',
      KAFKA_BROKERS: 'k1:9092,k2:9092',
    });

    expect(env).toMatchObject({
      DATABASE_URL: 'postgres://u:p@db:5432/app',
      REDIS_URL: 'redis://cache:6379',
      KAFKA_BROKERS: 'k1:9092,k2:9092',
    });
  });

  it('given external senders as JSON, when read, then each has its token and the types it may send', () => {
    const env = readLocalSystemEnv({
      EVENTLINE_SENDERS:
        '{"me":{"token":"my-local-token-0001","emits":["dev.eventline.flags.changed"]}}',
      EVENTLINE_SENDER_AUTHORIZATION: 'disabled',
    });

    expect(env.EVENTLINE_SENDERS).toEqual({
      me: { token: 'my-local-token-0001', emits: ['dev.eventline.flags.changed'] },
    });
    expect(env.EVENTLINE_SENDER_AUTHORIZATION).toBe('disabled');
  });

  it.each([
    ['not JSON', 'me', /EVENTLINE_SENDERS: must be a JSON object/],
    ['a short token', '{"me":{"token":"short","emits":["t"]}}', /EVENTLINE_SENDERS\.me\.token/],
    ['no types', '{"me":{"token":"my-local-token-0001","emits":[]}}', /must name at least one/],
    ['a bad name', '{"Me Too":{"token":"my-local-token-0001","emits":["t"]}}', /lower-case/],
  ])(
    'given external senders with %s, when read, then the error names the variable',
    (_, value, error) => {
      expect(() => readLocalSystemEnv({ EVENTLINE_SENDERS: value })).toThrow(error);
    },
  );

  it('given bad values, when read, then the error names each variable and what it must be', () => {
    const read = () =>
      readLocalSystemEnv({
        DATABASE_URL: 'foo',
        KAFKA_BROKERS: 'localhost',
        EVENTLINE_NAMESPACE: 'a/b',
        EVENTLINE_EDGE_PORT: 'eighty',
        EVENTLINE_IDLE_WINDOW_MS: 'a minute',
      });

    expect(read).toThrow(/DATABASE_URL: must be a URL \(postgres: or postgresql:\)/);
    expect(read).toThrow(/KAFKA_BROKERS: must be host:port, comma-separated/);
    expect(read).toThrow(/EVENTLINE_NAMESPACE: must be 1-100 letters/);
    expect(read).toThrow(/EVENTLINE_EDGE_PORT/);
    expect(read).toThrow(/EVENTLINE_IDLE_WINDOW_MS: must be a number of milliseconds/);
  });
});
