import {
  DEFAULT_RATE,
  SCENARIOS,
  SHORT_MODE,
  resultsTable,
  runCampaign,
  type ScenarioResult,
} from '../../scripts/bench/src/faults';

describe('the fault campaign, short mode: a steady order load on servers of its own while one fault at a time strikes', () => {
  let results: ScenarioResult[] = [];

  beforeAll(async () => {
    results = await runCampaign({
      ...SHORT_MODE,
      rate: DEFAULT_RATE,
      log: (line) => process.stderr.write(`[faults] ${line}\n`),
    });
    process.stdout.write(`${resultsTable(results).join('\n')}\n`);
  }, 600_000);

  it.each(SCENARIOS.map((scenario) => scenario.name))(
    'given %s, when the system recovers, then no accepted order is lost, nothing happened twice, and the books reconcile',
    (name) => {
      const result = results.find((r) => r.scenario === name);
      expect(result).toBeDefined();
      const { lost, doubleEffects, books, problems } = result as ScenarioResult;
      expect({ lost, doubleEffects, booksReconciled: books.ok, problems }).toEqual({
        lost: 0,
        doubleEffects: {
          doubleCharges: 0,
          doubleRefunds: 0,
          oversold: 0,
          shippedMismatch: 0,
          leakedReservations: 0,
        },
        booksReconciled: true,
        problems: [],
      });
      expect(result?.terminal).toBeGreaterThan(0);
    },
  );
});
