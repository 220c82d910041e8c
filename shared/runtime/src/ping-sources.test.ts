import type { Event } from '@eventline/cloudevents-http';
import { createLogger } from '@eventline/telemetry';
import { PingSources } from './ping-sources';

describe('the local PingSources', () => {
  const published: Event[] = [];
  let sources: PingSources;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-12-02T10:00:30Z') });
    published.length = 0;
    sources = new PingSources({
      namespace: 'shop',
      publish: async (event) => {
        published.push(event);
      },
      log: createLogger('ping-sources-test', 'silent'),
    });
  });
  afterEach(() => {
    sources.stop();
    jest.useRealTimers();
  });

  it('given a schedule every five minutes, when time passes, then a ping is sent at each tick with the PingSource attributes and payload', async () => {
    sources.add('report', { schedule: '*/5 * * * *', payload: { report: 'daily' } });

    await jest.advanceTimersByTimeAsync(4 * 60_000);
    expect(published).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(60_000);
    await jest.advanceTimersByTimeAsync(10 * 60_000);

    expect(published.map((e) => e.time)).toEqual([
      '2026-12-02T10:05:00.000Z',
      '2026-12-02T10:10:00.000Z',
      '2026-12-02T10:15:00.000Z',
    ]);
    expect(published[0]).toMatchObject({
      type: 'dev.knative.sources.ping',
      source: '/apis/v1/namespaces/shop/pingsources/report',
      datacontenttype: 'application/json',
      data: { report: 'daily' },
    });
    expect(new Set(published.map((e) => e.id)).size).toBe(3);
  });

  it("given a time zone, when the day passes, then the daily tick comes at that zone's hour", async () => {
    sources.add('nightly', { schedule: '0 3 * * *', timezone: 'Asia/Tokyo' });

    await jest.advanceTimersByTimeAsync(24 * 60 * 60_000);

    expect(published.map((e) => e.time)).toEqual(['2026-12-02T18:00:00.000Z']);
  });

  it('given a yearly schedule, when a month passes, then nothing fires early (a delay past what a timer can hold is waited out in steps)', async () => {
    sources.add('yearly', { schedule: '@yearly' });

    await jest.advanceTimersByTimeAsync(28 * 24 * 60 * 60_000);
    expect(published).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(3 * 24 * 60 * 60_000);

    expect(published.map((e) => e.time)).toEqual(['2027-01-01T00:00:00.000Z']);
  });

  it('given a broker that refuses a ping, when the next tick comes, then that one is sent', async () => {
    let refuse = true;
    const flaky = new PingSources({
      namespace: 'shop',
      publish: async (event) => {
        if (refuse) {
          refuse = false;
          throw new Error('broker down');
        }
        published.push(event);
      },
      log: createLogger('ping-sources-test', 'silent'),
    });
    flaky.add('minutely', { schedule: '* * * * *' });

    await jest.advanceTimersByTimeAsync(2 * 60_000);
    flaky.stop();

    expect(published.map((e) => e.time)).toEqual(['2026-12-02T10:02:00.000Z']);
  });

  it('given a PingSource, when fired by hand, then it sends one ping now; an unknown one is an error', async () => {
    sources.add('timers', { schedule: '@hourly' });

    await sources.fire('timers');

    expect(published.map((e) => e.time)).toEqual(['2026-12-02T10:00:30.000Z']);
    await expect(sources.fire('nope')).rejects.toThrow('no PingSource nope');
  });
});
