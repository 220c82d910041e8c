import { createHash } from 'node:crypto';
import { featureVector, FEATURES } from '../domain/features';
import { fit, predict, type LogisticModel } from './logistic';
import { generateSamples } from './synthetic';

export interface Evaluation {
  threshold: number;
  precision: number;
  recall: number;
  flagged: number;
}

export interface TrainedModel extends LogisticModel {
  trainedOn: { seed: number; customers: number; transactions: number; fraud: number };
  heldOut: {
    seed: number;
    customers: number;
    transactions: number;
    fraud: number;
    at: Evaluation[];
  };
}

const round = (x: number) => Number(x.toPrecision(6));

/** Precision and recall of "score ≥ threshold means fraud". */
export function evaluate(scores: number[], labels: boolean[], threshold: number): Evaluation {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  scores.forEach((score, i) => {
    const flagged = score >= threshold;
    if (flagged && labels[i]) tp += 1;
    else if (flagged) fp += 1;
    else if (labels[i]) fn += 1;
  });
  return {
    threshold,
    precision: round(tp + fp ? tp / (tp + fp) : 1),
    recall: round(tp + fn ? tp / (tp + fn) : 1),
    flagged: tp + fp,
  };
}

/**
 * Trains the model on one generated data set and measures it on another, generated with another
 * seed (customers the model never saw). Deterministic: the same seeds give the same weights.
 */
export function trainModel(options: {
  trainSeed: number;
  heldOutSeed: number;
  customers: number;
  heldOutCustomers: number;
  thresholds: number[];
}): TrainedModel {
  const train = generateSamples({ seed: options.trainSeed, customers: options.customers });
  const fitted = fit(
    [...FEATURES],
    train.map((s) => featureVector(s.transaction, s.enrichment)),
    train.map((s) => (s.fraud ? 1 : 0)),
  );
  const rounded = {
    ...fitted,
    means: fitted.means.map(round),
    scales: fitted.scales.map(round),
    weights: fitted.weights.map(round),
    bias: round(fitted.bias),
  };
  const digest = createHash('sha256').update(JSON.stringify(rounded)).digest('hex');
  const model: LogisticModel = { version: `lr-${digest.slice(0, 12)}`, ...rounded };
  const heldOut = generateSamples({
    seed: options.heldOutSeed,
    customers: options.heldOutCustomers,
  });
  const scores = heldOut.map(
    (s) => predict(model, featureVector(s.transaction, s.enrichment)).probability,
  );
  const labels = heldOut.map((s) => s.fraud);
  return {
    ...model,
    trainedOn: {
      seed: options.trainSeed,
      customers: options.customers,
      transactions: train.length,
      fraud: train.filter((s) => s.fraud).length,
    },
    heldOut: {
      seed: options.heldOutSeed,
      customers: options.heldOutCustomers,
      transactions: heldOut.length,
      fraud: labels.filter(Boolean).length,
      at: options.thresholds.map((t) => evaluate(scores, labels, t)),
    },
  };
}
