export {
  CircuitBreaker,
  CircuitOpenError,
  type BreakerOptions,
  type BreakerState,
} from './circuit-breaker';
export { TokenBucket, type TokenBucketOptions, type Take } from './token-bucket';
