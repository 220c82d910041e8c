import { readdirSync } from 'node:fs';
import path from 'node:path';
import { breakingChanges, type EventDefinition } from '@eventline/events';
import { acceptedDataValidator, dataValidator, type ServiceDefinition } from '@eventline/kit';
import { triggers, type Routing } from '@eventline/routing';
import { repositoryRoot } from '../support/repository';

/** An event a producer's tests made it emit (test/contracts/samples.json). */
export interface Sample {
  dataschema?: string;
  data: unknown;
}
/** Samples by producing handler, then by type. */
export type Samples = Record<string, Record<string, Sample[]>>;

/** A handler that emits a type, and a trigger's handler that receives it: one contract. */
export interface Contract {
  producer: string;
  consumer: string;
  type: string;
}

/** Every producer-to-consumer pair routing.yaml wires through the broker. */
export function contractsOf(routing: Routing): Contract[] {
  return routing.handlers.flatMap((producer) =>
    producer.emits.flatMap((type) =>
      triggers(routing)
        .filter((consumer) => consumer.type === type)
        .map((consumer) => ({ producer: producer.name, consumer: consumer.name, type })),
    ),
  );
}

/** The service packages' handlers by name, as the routing file's packages define them. */
export function handlersByName(): Map<string, ServiceDefinition['handlers'][number]> {
  const packages = readdirSync(path.join(repositoryRoot(), 'services'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  return new Map(
    packages.flatMap((name) =>
      (
        require(`@eventline/service-${name}`) as { service: ServiceDefinition }
      ).service.handlers.map((h) => [h.name, h] as const),
    ),
  );
}

/**
 * Why a contract does not hold: a sample of the producer's events that the consumer's accepted
 * versions refuse (a field its schema forbids, one it requires that the producer omits, a version
 * it does not accept), or one its own code no longer emits (against the producer's current
 * schema and version), or no sample at all.
 */
export function contractProblems(
  contract: Contract,
  samples: Samples,
  produced: EventDefinition,
  accepted: EventDefinition,
): string[] {
  const { producer, consumer, type } = contract;
  const name = `${producer} -> ${consumer} (${type})`;
  const list = samples[producer]?.[type] ?? [];
  if (list.length === 0)
    return [`${name}: no sample of what ${producer} emits; run npm run contracts:record`];
  const consumerCheck = acceptedDataValidator(accepted);
  const producerCheck = dataValidator(produced);
  return list.flatMap((sample, i) => {
    const problems: string[] = [];
    if (sample.dataschema !== produced.dataschema)
      problems.push(
        `sample ${i} is of ${sample.dataschema}, ${producer} now emits ${produced.dataschema}: run npm run contracts:record`,
      );
    const unproduced = producerCheck(sample.data);
    if (unproduced) problems.push(`sample ${i} is not what ${producer} emits now: ${unproduced}`);
    const refused = consumerCheck(sample.data, sample.dataschema);
    if (refused) problems.push(`sample ${i} is refused by ${consumer}: ${refused}`);
    return problems.map((p) => `${name}: ${p}`);
  });
}

/**
 * Why the consumer's accepted versions may refuse an event the producer's current version
 * allows: the version is not one it accepts, or that version's schema refuses data the
 * producer's schema lets through (a forbidden field, a required one the producer may omit, a
 * narrower bound). This holds for every event the producer can emit, sampled or not.
 */
export function schemaProblems(
  contract: Contract,
  produced: EventDefinition,
  accepted: EventDefinition,
): string[] {
  const name = `${contract.producer} -> ${contract.consumer} (${contract.type})`;
  const version = accepted.versions.find((v) => v.dataschema === produced.dataschema);
  if (!version || !accepted.accepts.includes(version.version))
    return [
      `${name}: ${contract.producer} emits ${produced.dataschema}, ${contract.consumer} accepts ${accepted.accepts.map((v) => `v${v}`).join(', ')}`,
    ];
  return breakingChanges(produced.schema, version.schema).map(
    (p) => `${name}: ${contract.consumer} refuses what ${contract.producer} may send: ${p}`,
  );
}
