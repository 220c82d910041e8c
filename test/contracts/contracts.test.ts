// Contract tests: for each route of routing.yaml, the events its producer emitted in real tests
// (recorded by `npm run contracts:record` into samples.json) pass the checks its consumer runs:
// the version the consumer accepts and that version's schema.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { catalogEvent, eventCatalog, OrderPlaced, type EventDefinition } from '@eventline/events';
import { loadRouting } from '@eventline/routing';
import { contractProblems, contractsOf, handlersByName, type Samples } from './contracts';

const routing = loadRouting();
const samples = JSON.parse(readFileSync(path.join(__dirname, 'samples.json'), 'utf8')) as Samples;
const handlers = handlersByName();
const byType = new Map(eventCatalog.map((d) => [d.type, d]));
const contracts = contractsOf(routing);
const accepted = (consumer: string) => handlers.get(consumer)?.accepts as EventDefinition;
const placed = { producer: 'orders-api', consumer: 'notify-customer', type: OrderPlaced.type };
const placedSample = () => structuredClone(samples['orders-api']?.[OrderPlaced.type]?.[0]);

describe('contracts between the producers and consumers routing.yaml wires', () => {
  it('covers every route from a handler to a trigger', () => {
    expect(contracts.length).toBeGreaterThan(10);
    expect(contracts).toContainEqual(placed);
  });

  it.each(contracts.map((c) => [`${c.producer} -> ${c.consumer}`, c.type, c] as const))(
    '%s (%s): what the producer emits, the consumer accepts',
    (_name, type, contract) => {
      const produced = byType.get(type) as EventDefinition;
      expect(contractProblems(contract, samples, produced, accepted(contract.consumer))).toEqual(
        [],
      );
    },
  );

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

  it('given samples recorded before the producer moved to a new version, then they are refused until re-recorded', () => {
    const v2 = catalogEvent(OrderPlaced.type, [
      OrderPlaced.schema,
      { ...OrderPlaced.schema, $id: OrderPlaced.dataschema.replace('/v1.', '/v2.') },
    ]);
    const problems = contractProblems(placed, samples, v2, accepted('notify-customer'));
    expect(problems[0]).toMatch(/sample 0 is of .*\/v1\.json, orders-api now emits .*\/v2\.json/);
  });
});
