import { Latencies } from './load';

describe('latency percentiles', () => {
  it('given latencies in any order, then percentiles are nearest-rank over all of them', () => {
    const latencies = new Latencies();
    expect(latencies.percentile(50)).toBe(0);
    for (const ms of [9, 1, 5, 3, 7, 2, 8, 4, 10, 6]) latencies.add(ms);
    expect(latencies.percentile(50)).toBe(5);
    expect(latencies.percentile(90)).toBe(9);
    expect(latencies.percentile(99)).toBe(10);
    expect(latencies.percentile(100)).toBe(10);
    latencies.add(0.5);
    expect(latencies.percentile(1)).toBe(0.5);
  });
});
