export {
  eventFromHttp,
  messageFromHttp,
  messageOf,
  httpHeadersOf,
  writablePart,
  validMessage,
  stringProblem,
  UnwritableAttributeError,
  withExtensions,
  InvalidEventError,
  CloudEvent,
  type Event,
  type EventMessage,
} from './codec';
export { postMessage, replyOf, type HttpResponse } from './delivery-client';
export { InFlightWork } from './in-flight-work';
export { answerProtocolErrors } from './protocol-errors';
