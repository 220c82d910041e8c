// The routing loader refuses what a cluster's Knative Eventing would refuse in the objects the
// chart renders from the routing file, naming the routing entry and field, and Knative's rule.
import { loadRouting, parseRouting } from '@eventline/routing';

const header = 'broker: {name: default}\n';
const sink = '  dead-letters:\n    package: p\n    kind: sink\n';
const trigger = (delivery: string) =>
  `${header}handlers:\n${sink}  t:\n    package: p\n    kind: trigger\n    type: x\n    delivery: {deadLetterSink: dead-letters, ${delivery}}\n`;
const job = (lines: string) =>
  `${header}handlers:\n  j:\n    package: p\n    kind: job\n${lines
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')}\n`;

describe('the routing loader runs the Knative Eventing rule table', () => {
  it('given the repository routing file, when loaded, then Knative admits every object it renders', () => {
    expect(loadRouting().handlers.length).toBeGreaterThan(0);
  });

  it('given delivery and schedules Knative accepts, when parsed, then they load', () => {
    expect(() =>
      parseRouting(
        trigger('retry: 0, backoffPolicy: linear, backoffDelay: PT1.5S, timeout: PT30S'),
      ),
    ).not.toThrow();
    expect(() =>
      parseRouting(
        job("schedule: '*/5 9-17 * * MON-FRI'\ntimezone: America/New_York\npayload: {a: 1}"),
      ),
    ).not.toThrow();
  });

  it.each([
    [
      'a backoff delay Knative cannot parse',
      trigger('backoffDelay: PT1X'),
      'handlers.t.delivery.backoffDelay: Trigger t would be refused by Knative: invalid value: PT1X: spec.delivery.backoffDelay (knative/eventing@knative-v1.22.2 pkg/apis/duck/v1/delivery_types.go:127-132)',
    ],
    [
      'a zero delivery timeout',
      trigger('timeout: PT0S'),
      'handlers.t.delivery.timeout: Trigger t would be refused by Knative: invalid value: PT0S: spec.delivery.timeout (knative/eventing@knative-v1.22.2 pkg/apis/duck/v1/delivery_types.go:108-112)',
    ],
    [
      'a schedule on day of week 7, which robfig/cron does not count',
      job("schedule: '0 3 * * 7'"),
      'handlers.j.schedule: PingSource j would be refused by Knative: invalid value: end of range (7) above maximum (6): 7: spec.schedule (knative/eventing@knative-v1.22.2 pkg/apis/sources/v1/ping_validation.go:49-61)',
    ],
    [
      'a time zone spelled in the wrong case',
      job("schedule: '@daily'\ntimezone: europe/paris"),
      'handlers.j.timezone: PingSource j would be refused by Knative: invalid value: provided bad location europe/paris: unknown time zone europe/paris: spec.timezone (knative/eventing@knative-v1.22.2 pkg/apis/sources/v1/ping_validation.go:45-56)',
    ],
    [
      'a payload that is a JSON array, not an object',
      job("schedule: '@daily'\npayload: [1, 2]"),
      'handlers.j.payload: PingSource j would be refused by Knative: invalid value: json: cannot unmarshal array into Go value of type map[string]interface {}: spec.data (knative/eventing@knative-v1.22.2 pkg/apis/sources/v1/ping_validation.go:94-99)',
    ],
    [
      'an empty broker name',
      trigger('retry: 1').replace('broker: {name: default}', "broker: {name: ''}"),
      'broker.name: Trigger t would be refused by Knative: missing field(s): spec.broker (knative/eventing@knative-v1.22.2 pkg/apis/eventing/v1/trigger_validation.go:61-65)',
    ],
  ])(
    'given %s, when parsed, then the error names the route, the field and the rule',
    (_what, file, message) => {
      expect(() => parseRouting(file)).toThrow(message);
    },
  );

  it('given a default delivery Knative refuses, when parsed, then the error names the default for the Broker and for each Trigger that takes it', () => {
    const file = `${header}defaults:\n  delivery: {backoffDelay: P1Q, deadLetterSink: dead-letters}\nhandlers:\n${sink}  t:\n    package: p\n    kind: trigger\n    type: x\n`;
    let message = '';
    try {
      parseRouting(file);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(
      'defaults.delivery.backoffDelay: Broker default would be refused by Knative: invalid value: P1Q: spec.delivery.backoffDelay',
    );
    expect(message).toContain(
      'defaults.delivery.backoffDelay: Trigger t would be refused by Knative: invalid value: P1Q: spec.delivery.backoffDelay',
    );
  });
});
