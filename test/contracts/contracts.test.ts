// Contract tests: for each route of routing.yaml, the events its producer emitted in real tests
// (recorded by `npm run contracts:record` into samples.json) pass the checks its consumer runs:
// the version the consumer accepts and that version's schema.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  accepting,
  catalogEvent,
  eventCatalog,
  OrderPlaced,
  type EventDefinition,
} from '@eventline/events';
import { loadRouting } from '@eventline/routing';
import {
  contractProblems,
  contractsOf,
  handlersByName,
  schemaProblems,
  type Samples,
} from './contracts';

const routing = loadRouting();
const samples = JSON.parse(readFileSync(path.join(__dirname, 'samples.json'), 'utf8')) as Samples;
const handlers = handlersByName();
const byType = new Map(eventCatalog.map((d) => [d.type, d]));
const contracts = contractsOf(routing);
const accepted = (consumer: string) => handlers.get(consumer)?.accepts as EventDefinition;
const sampled = contracts.filter((c) => (samples[c.producer]?.[c.type]?.length ?? 0) > 0);
const unsampled = contracts.filter((c) => !sampled.includes(c));
/**
 * Producer and type pairs routing.yaml declares that no system test drives (recorded by
 * `npm run contracts:record`): a new one here means a producer whose events no test has seen.
 */
const UNSAMPLED = [
  'order-saga dev.eventline.inventory.reserve-requested',
  'order-saga-timers dev.eventline.inventory.reserve-requested',
  'order-saga-timers dev.eventline.payments.charge-requested',
  'order-saga-timers dev.eventline.payments.refund-requested',
  'order-saga-timers dev.eventline.shipping.create-requested',
];
const placed = { producer: 'orders-api', consumer: 'notify-customer', type: OrderPlaced.type };
const placedSample = () => structuredClone(samples['orders-api']?.[OrderPlaced.type]?.[0]);

describe('contracts between the producers and consumers routing.yaml wires', () => {
  it('covers every route from a handler to a trigger', () => {
    expect(contracts.length).toBeGreaterThan(10);
    expect(contracts).toContainEqual(placed);
  });

  it.each(contracts.map((c) => [`${c.producer} -> ${c.consumer}`, c.type, c] as const))(
    '%s (%s): every event the producer schema allows, the consumer accepts',
    (_name, type, contract) => {
      const produced = byType.get(type) as EventDefinition;
      expect(schemaProblems(contract, produced, accepted(contract.consumer))).toEqual([]);
    },
  );

  it.each(sampled.map((c) => [`${c.producer} -> ${c.consumer}`, c.type, c] as const))(
    '%s (%s): the events the producer emitted in its tests, the consumer accepts',
    (_name, type, contract) => {
      const produced = byType.get(type) as EventDefinition;
      expect(contractProblems(contract, samples, produced, accepted(contract.consumer))).toEqual(
        [],
      );
    },
  );

  it('given the routes no system test makes their producer emit, then they are these, checked on their schemas alone', () => {
    expect(unsampled.map((c) => `${c.producer} ${c.type}`).sort()).toEqual(UNSAMPLED);
  });

  it('given a producer that emits a field the consumer forbids, then the contract fails naming it', () => {
    const sample = placedSample();
    (sample?.data as Record<string, unknown>).coupon = 'WINTER';
    const problems = contractProblems(
      placed,
      { 'orders-api': { [OrderPlaced.type]: [sample!] } },
      OrderPlaced,
      accepted('notify-customer'),
    );
    expect(problems).toContain(
      `orders-api -> notify-customer (${OrderPlaced.type}): sample 0 is refused by notify-customer: data has unexpected property "coupon"`,
    );
  });

  it('given a producer that omits a field the consumer requires, then the contract fails naming it', () => {
    const sample = placedSample();
    delete (sample?.data as Record<string, unknown>).placedAt;
    const problems = contractProblems(
      placed,
      { 'orders-api': { [OrderPlaced.type]: [sample!] } },
      OrderPlaced,
      accepted('notify-customer'),
    );
    expect(problems).toContain(
      `orders-api -> notify-customer (${OrderPlaced.type}): sample 0 is refused by notify-customer: data is missing required property "placedAt"`,
    );
  });

  it('given a consumer whose accepted version requires a field no producer sends, then the contract fails', () => {
    const schema = structuredClone(OrderPlaced.schema) as Record<string, unknown> & {
      required: string[];
      properties: Record<string, unknown>;
    };
    const consumerSide = catalogEvent(OrderPlaced.type, [
      {
        ...schema,
        required: [...schema.required, 'channel'],
        properties: { ...schema.properties, channel: { enum: ['web', 'store'] } },
      },
    ]);
    const problems = contractProblems(placed, samples, OrderPlaced, consumerSide);
    expect(problems[0]).toMatch(
      /refused by notify-customer: data is missing required property "channel"/,
    );
  });

  it("given a consumer that accepts only the version before the producer's, then the schema contract fails naming both", () => {
    const v2 = catalogEvent(OrderPlaced.type, [
      OrderPlaced.schema,
      { ...OrderPlaced.schema, $id: OrderPlaced.dataschema.replace('/v1.', '/v2.') },
    ]);
    const oldConsumer = accepting(v2, [1]);
    expect(schemaProblems(placed, v2, oldConsumer)).toEqual([
      `orders-api -> notify-customer (${OrderPlaced.type}): orders-api emits ${v2.dataschema}, notify-customer accepts v1`,
    ]);
    expect(schemaProblems(placed, v2, accepting(v2, [1, 2]))).toEqual([]);
  });

  it('given samples recorded before the producer moved to a new version, then they are refused until re-recorded', () => {
    const v2 = catalogEvent(OrderPlaced.type, [
      OrderPlaced.schema,
      { ...OrderPlaced.schema, $id: OrderPlaced.dataschema.replace('/v1.', '/v2.') },
    ]);
    const problems = contractProblems(placed, samples, v2, accepted('notify-customer'));
    expect(problems[0]).toMatch(/sample 0 is of .*\/v1\.json, orders-api now emits .*\/v2\.json/);
  });
});
