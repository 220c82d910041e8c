export {
  loadRouting,
  parseRouting,
  triggers,
  ROUTING_FILE,
  type Routing,
  type HandlerRoute,
  type HandlerKind,
  type DeliverySpec,
  type BackoffPolicy,
  type FilterExpression,
} from './routing';
