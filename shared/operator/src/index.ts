export { addOperatorCommands, DEFAULT_URL, PROJECTIONS } from './commands';
export { CliError, EXIT, SystemClient } from './client';
export { placeOrders, Latencies, type LoadReport, type LoadProgress } from './load';
export {
  sagaTimeline,
  renderTimeline,
  type Timeline,
  type TimelineStep,
  type HistoryEntry,
} from './timeline';
export { dashboardDirectory } from './dashboard-files';
