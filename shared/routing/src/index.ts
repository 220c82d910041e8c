export {
  loadRouting,
  parseRouting,
  triggers,
  findRoutingFile,
  type Routing,
  type HandlerRoute,
  type HandlerKind,
  type DeliverySpec,
  type BackoffPolicy,
  type FilterExpression,
} from './routing';
