import { FEATURES } from '../domain/features';
import type { LogisticModel } from './logistic';
import shipped from './fraud-model.json';

/**
 * The model `npm run fraud:train` wrote. It must read the features the service computes, in
 * their order: a model trained on other features is refused at start, not applied wrongly.
 */
export function shippedModel(): LogisticModel {
  const model = shipped as unknown as LogisticModel;
  if (JSON.stringify(model.features) !== JSON.stringify(FEATURES))
    throw new Error(
      `fraud-model.json reads features ${JSON.stringify(model.features)}, the service computes ${JSON.stringify(FEATURES)}: run npm run fraud:train`,
    );
  return model;
}
