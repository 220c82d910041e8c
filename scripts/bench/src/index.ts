export { summarize, offerLoad, type LatencySummary } from './latency';
export { runBrokerBench, type BrokerBenchResult, type BrokerBenchOptions } from './broker-bench';
