import { TRAINING } from '../train';
import shipped from './fraud-model.json';
import { shippedModel } from './fraud-model';
import { evaluate, trainModel } from './training';

describe('the fraud model', () => {
  it('given the training data sets, when trained, then the result is the model the service ships', () => {
    const thresholds = shipped.heldOut.at.map((e) => e.threshold);
    expect(trainModel({ ...TRAINING, thresholds })).toEqual(shipped);
  });

  it('given held-out customers, when scored, then most fraud is caught and most flags are fraud', () => {
    const [review, decline] = shipped.heldOut.at;
    expect(review!.recall).toBeGreaterThan(0.6);
    expect(review!.precision).toBeGreaterThan(0.8);
    expect(decline!.precision).toBeGreaterThan(0.9);
  });

  it('reads the features the service computes, in order', () => {
    expect(shippedModel().version).toBe(shipped.version);
  });

  it('given scores and labels, when evaluated, then precision and recall count flags against fraud', () => {
    expect(evaluate([0.9, 0.8, 0.2, 0.7], [true, false, true, true], 0.75)).toEqual({
      threshold: 0.75,
      precision: 0.5,
      recall: 0.333333,
      flagged: 2,
    });
  });
});
