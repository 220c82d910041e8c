import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handlerEnvSchema } from './config';
import { senderHeaders } from './sender-token';

const config = (env: Record<string, string>) =>
  handlerEnvSchema.parse({ DATABASE_URL: 'postgres://u@db/app', ...env });

describe("a handler's identity toward K_SINK", () => {
  afterEach(() => jest.useRealTimers());

  it('given no token, when it sends, then it sends no authorization', () => {
    expect(senderHeaders(config({}))()).toBeUndefined();
  });

  it('given a token, when it sends, then it sends it as a bearer token', () => {
    expect(senderHeaders(config({ EVENTLINE_SENDER_TOKEN: 'abc' }))()).toEqual({
      authorization: 'Bearer abc',
    });
  });

  it('given a token file the kubelet rotates, when it sends, then the token read at start and, after a minute, the rotated one', () => {
    jest.useFakeTimers({ now: 0 });
    const file = join(mkdtempSync(join(tmpdir(), 'sender-token-')), 'token');
    writeFileSync(file, 'first\n');
    const headers = senderHeaders(config({ EVENTLINE_SENDER_TOKEN_FILE: file }));
    writeFileSync(file, 'rotated\n');

    expect(headers()).toEqual({ authorization: 'Bearer first' });
    jest.setSystemTime(60_000);
    expect(headers()).toEqual({ authorization: 'Bearer rotated' });
  });

  it('given a token file that is missing, or both a token and a file, when it starts, then it refuses naming the variable', () => {
    expect(() =>
      senderHeaders(config({ EVENTLINE_SENDER_TOKEN_FILE: '/nonexistent/token' })),
    ).toThrow(/EVENTLINE_SENDER_TOKEN_FILE: cannot read \/nonexistent\/token/);
    expect(() =>
      senderHeaders(config({ EVENTLINE_SENDER_TOKEN: 'a', EVENTLINE_SENDER_TOKEN_FILE: '/x' })),
    ).toThrow(/set it or EVENTLINE_SENDER_TOKEN, not both/);
  });
});
