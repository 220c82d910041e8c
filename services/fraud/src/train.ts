import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fraudConfig } from './config';
import { trainModel } from './model/training';

/** The data sets `npm run fraud:train` generates; a test checks the shipped model is theirs. */
export const TRAINING = { trainSeed: 1, heldOutSeed: 2, customers: 4_000, heldOutCustomers: 2_000 };

function main(): void {
  const { FRAUD_REVIEW_AT, FRAUD_DECLINE_AT } = fraudConfig();
  console.log(
    `training on ${TRAINING.customers} generated customers (seed ${TRAINING.trainSeed}), ` +
      `measuring on ${TRAINING.heldOutCustomers} others (seed ${TRAINING.heldOutSeed})`,
  );
  const model = trainModel({ ...TRAINING, thresholds: [FRAUD_REVIEW_AT, FRAUD_DECLINE_AT] });
  const { heldOut } = model;
  console.log(
    `held-out: ${heldOut.transactions} transactions, ${heldOut.fraud} fraudulent; model ${model.version}`,
  );
  for (const e of heldOut.at)
    console.log(
      `  score >= ${e.threshold}: precision ${e.precision.toFixed(3)}, recall ${e.recall.toFixed(3)} (${e.flagged} flagged)`,
    );
  const file = path.resolve(__dirname, '../src/model/fraud-model.json');
  writeFileSync(file, `${JSON.stringify(model, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

if (require.main === module) main();
