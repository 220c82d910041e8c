export {
  loadRouting,
  parseRouting,
  triggers,
  routingOfSite,
  triggerFilterOf,
  pingSourceSource,
  PING_EVENT_TYPE,
  KAFKA_EVENT_TYPE,
  kafkaSourceSource,
  type KafkaSourceRoute,
  type KafkaSinkRoute,
  type Site,
  findRoutingFile,
  type PingSchedule,
  type Routing,
  type HandlerRoute,
  type HandlerKind,
  type DeliverySpec,
  type BackoffPolicy,
  type FilterExpression,
} from './routing';
export {
  senderGrants,
  senderName,
  grantedTypes,
  ANY_TYPE,
  type SenderGrant,
  type SenderKind,
} from './senders';
export { scheduleProblem, nextFireTime } from './schedule';
export {
  knativeProblems,
  formatProblem,
  citation,
  KNATIVE_RULES,
  FILTERS_RULES,
  DEFAULT_FEATURES,
  EVENTING_RELEASE,
  KAFKA_BROKER_RELEASE,
  type KnativeRule,
  type KnativeObject,
  type KnativeProblem,
  type RuleOptions,
  type FeatureFlags,
} from './knative-rules';
export { parseIsoPeriod } from './iso-period';
export { robfigCronProblem } from './robfig-cron';
