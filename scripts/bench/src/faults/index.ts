export {
  DEFAULT_RATE,
  FULL_MODE,
  SHORT_MODE,
  runCampaign,
  runScenario,
  scenarioFailed,
  type CampaignOptions,
  type ScenarioResult,
} from './campaign';
export { SCENARIOS, type Scenario, type FaultTarget, type FaultOutcome } from './scenarios';
export { totalDoubleEffects, type DoubleEffects, type Reconciliation } from './books';
export { reliabilityDocument, resultsTable, RECOVERY_TARGET_MS } from './report';
