import { snapshotDue } from './aggregate';

describe('snapshotDue', () => {
  const every10 = { every: 10 };

  it('given N = 10, when an append crosses or lands on a multiple of 10, then a snapshot is due', () => {
    expect(snapshotDue(every10, 9, 10)).toBe(true);
    expect(snapshotDue(every10, 8, 12)).toBe(true);
    expect(snapshotDue(every10, 0, 100)).toBe(true);
  });

  it('given N = 10, when an append stays between multiples, then none is due', () => {
    expect(snapshotDue(every10, 10, 11)).toBe(false);
    expect(snapshotDue(every10, 11, 19)).toBe(false);
  });

  it('given no policy or N = 0, when anything is appended, then none is due', () => {
    expect(snapshotDue(undefined, 9, 10)).toBe(false);
    expect(snapshotDue({ every: 0 }, 9, 10)).toBe(false);
  });
});
