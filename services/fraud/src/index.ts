export { fraudService as service } from './service';
/** For tests and benchmarks: the velocity windows and the model the service runs. */
export { recordVelocity, velocityFromDatabase, velocityKey } from './velocity';
export { shippedModel } from './model/fraud-model';
