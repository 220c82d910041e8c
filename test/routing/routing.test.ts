import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ANY_EVENT, type ServiceDefinition } from '@eventline/kit';
import { eventCatalog } from '@eventline/events';
import { loadRouting, parseRouting, PING_EVENT_TYPE } from '@eventline/routing';
import { repositoryRoot } from '../support/repository';

const routing = loadRouting();
const packages = readdirSync(path.join(repositoryRoot(), 'services'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const services = new Map<string, ServiceDefinition>(
  packages.map((name) => [
    name,
    (require(`@eventline/service-${name}`) as { service: ServiceDefinition }).service,
  ]),
);
const codeHandlers = [...services.entries()].flatMap(([pkg, service]) =>
  service.handlers.map((handler) => ({ pkg, handler })),
);

describe('routing is declared once and agrees with the code', () => {
  it.each(codeHandlers.map(({ pkg, handler }) => [handler.name, pkg, handler] as const))(
    'handler %s of services/%s has a route in the same package',
    (name, pkg) => {
      const route = routing.handlers.find((r) => r.name === name);
      expect(route).toBeDefined();
      expect(route?.package).toBe(pkg);
    },
  );

  it.each(routing.handlers.map((route) => [route.name, route] as const))(
    'route %s has a handler in code that matches it',
    (_name, route) => {
      const handler = services.get(route.package)?.handlers.find((h) => h.name === route.name);
      expect(handler).toBeDefined();
      if (route.kind === 'trigger') expect(handler?.accepts?.type).toBe(route.type);
      if (route.kind === 'sink') expect(handler?.accepts).toBe(ANY_EVENT);
      if (route.kind === 'edge') expect(handler?.routes).toBeDefined();
      if (route.kind === 'job') {
        expect(handler?.job).toBeDefined();
        expect(handler?.accepts?.type).toBe(PING_EVENT_TYPE);
      }
      expect([...(handler?.emits ?? [])].map((e) => e.type).sort()).toEqual(
        [...route.emits].sort(),
      );
    },
  );

  it('every event type a route filters on or emits is in the event catalog', () => {
    const catalog = new Set(eventCatalog.map((e) => e.type));
    const used = routing.handlers.flatMap((r) => [
      ...(r.type ? [r.type] : []),
      ...r.emits.filter((t) => t !== ANY_EVENT.type),
    ]);
    expect(used.filter((t) => !catalog.has(t))).toEqual([]);
  });

  it('every dead-letter sink is a sink handler', () => {
    const sinks = new Set(routing.handlers.filter((r) => r.kind === 'sink').map((r) => r.name));
    for (const route of routing.handlers) {
      if (route.delivery.deadLetterSink) expect(sinks).toContain(route.delivery.deadLetterSink);
    }
  });

  it('given a routing file with a mistake, when parsed, then the error names where', () => {
    expect(() =>
      parseRouting('broker: {name: b}\nhandlers:\n  x:\n    package: p\n    kind: trigger\n'),
    ).toThrow(/handlers\/x must have required property 'type'/);
    expect(() =>
      parseRouting(
        'broker: {name: b}\nhandlers:\n  x:\n    package: p\n    kind: edge\n    delivery: {deadLetterSink: nowhere}\n',
      ),
    ).toThrow(/handlers.x.delivery.deadLetterSink names unknown handler "nowhere"/);
  });

  it.each([
    ['every minute', /handlers\.j\.schedule "every minute" is not a cron expression: five fields/],
    ['@every 10s', /handlers\.j\.schedule "@every 10s" is not a cron expression/],
    ['0 * * * * *', /handlers\.j\.schedule "0 \* \* \* \* \*" is not a cron expression/],
    ['0 0 L * *', /handlers\.j\.schedule "0 0 L \* \*" is not a cron expression/],
    ['61 * * * *', /handlers\.j\.schedule "61 \* \* \* \*" is not a cron expression/],
  ])(
    'given a job scheduled "%s", which a PingSource refuses, when parsed, then the error names the entry',
    (schedule, error) => {
      expect(() =>
        parseRouting(
          `broker: {name: b}\nhandlers:\n  j:\n    package: p\n    kind: job\n    schedule: '${schedule}'\n`,
        ),
      ).toThrow(error);
    },
  );

  it('given a job with an unknown time zone or with a type, when parsed, then the error names the entry', () => {
    expect(() =>
      parseRouting(
        "broker: {name: b}\nhandlers:\n  j:\n    package: p\n    kind: job\n    schedule: '@daily'\n    timezone: Mars/Olympus\n",
      ),
    ).toThrow(/handlers\.j\.timezone "Mars\/Olympus" is not an IANA time zone/);
    expect(() =>
      parseRouting(
        "broker: {name: b}\nhandlers:\n  j:\n    package: p\n    kind: job\n    schedule: '@daily'\n    type: x\n",
      ),
    ).toThrow(/handlers\/j must NOT be valid/);
  });

  it('given a job, when parsed, then it takes PingSource ticks with its schedule, zone and payload', () => {
    const routing = parseRouting(
      "broker: {name: b}\nhandlers:\n  j:\n    package: p\n    kind: job\n    schedule: '30 6 * * 1-5'\n    timezone: Europe/Paris\n    payload: {report: daily}\n",
    );
    expect(routing.handlers[0]).toMatchObject({
      kind: 'job',
      type: PING_EVENT_TYPE,
      ping: { schedule: '30 6 * * 1-5', timezone: 'Europe/Paris', payload: { report: 'daily' } },
    });
  });
});
