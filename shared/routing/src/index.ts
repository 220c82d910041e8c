export {
  loadRouting,
  parseRouting,
  triggers,
  triggerFilterOf,
  pingSourceSource,
  PING_EVENT_TYPE,
  findRoutingFile,
  type PingSchedule,
  type Routing,
  type HandlerRoute,
  type HandlerKind,
  type DeliverySpec,
  type BackoffPolicy,
  type FilterExpression,
} from './routing';
export { scheduleProblem, nextFireTime } from './schedule';
