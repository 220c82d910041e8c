import { decideReport, type ReportInput } from './decider';

const given = (input: Partial<ReportInput>): ReportInput => ({
  region: 'eu-west',
  report: 7,
  purchases: [],
  changedStock: [],
  reportedAt: '2026-01-02T03:06:00.000Z',
  ...input,
});

describe('central report', () => {
  it('given no purchases and no stock change, then there is nothing to report', () => {
    expect(decideReport(given({}))).toBeUndefined();
  });

  it('given purchases, then units are summed per sku and minute, in order', () => {
    const report = decideReport(
      given({
        purchases: [
          { purchasedAt: '2026-01-02T03:05:59.999Z', items: [{ sku: 'b', quantity: 2 }] },
          {
            purchasedAt: '2026-01-02T03:04:10.000Z',
            items: [
              { sku: 'b', quantity: 1 },
              { sku: 'a', quantity: 3 },
            ],
          },
          { purchasedAt: '2026-01-02T03:05:00.000Z', items: [{ sku: 'b', quantity: 4 }] },
        ],
      }),
    );
    expect(report?.sales).toEqual([
      { minute: '2026-01-02T03:04:00.000Z', sku: 'a', quantity: 3 },
      { minute: '2026-01-02T03:04:00.000Z', sku: 'b', quantity: 1 },
      { minute: '2026-01-02T03:05:00.000Z', sku: 'b', quantity: 6 },
    ]);
    expect(report).toMatchObject({ region: 'eu-west', report: 7, stock: [] });
  });

  it('given only changed stock levels, then the report carries them and no sales', () => {
    const report = decideReport(
      given({
        changedStock: [
          { sku: 'z', available: 0 },
          { sku: 'a', available: 12 },
        ],
      }),
    );
    expect(report?.sales).toEqual([]);
    expect(report?.stock).toEqual([
      { sku: 'a', available: 12 },
      { sku: 'z', available: 0 },
    ]);
  });
});
