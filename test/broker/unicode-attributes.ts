import fc from 'fast-check';
import { messageOf, stringProblem } from '@eventline/cloudevents-http';
import type { EventLog, TriggerSpec } from '@eventline/broker';
import { eventually } from '@eventline/testing';
import type { ReceivedRequest, RecordingSubscriber } from '../support/recording-subscriber';
import { postStructured } from '../support/cloudevents';

/** What the rule needs of the conformance table's world. */
interface UnicodeWorld {
  ingress: string;
  eventLog: EventLog;
  trigger(
    answer: undefined,
    spec: (type: string) => {
      filter: TriggerSpec['filter'];
      delivery: Partial<TriggerSpec['delivery']>;
    },
  ): Promise<{ type: string; subscriber: RecordingSubscriber; deadLetters: RecordingSubscriber }>;
}

/** The same seed every run: a failure names its sample, and the next run tries the same ones. */
const SEED = 22;
const SAMPLES = 60;

const STRING_ATTRIBUTES = ['id', 'source', 'type', 'subject', 'dataschema'] as const;
const RESERVED = new Set<string>([
  'specversion',
  'time',
  'datacontenttype',
  'data',
  'fuzzrun',
  'seq',
  'flawed',
  ...STRING_ATTRIBUTES,
]);

/** A code point of any plane; as a string a surrogate's is a lone surrogate. */
const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp));
const legalChar = anyCodePoint.filter((char) => stringProblem(char) === undefined);
const legalString = fc.array(legalChar, { minLength: 1, maxLength: 24 }).map((c) => c.join(''));
/** Each kind the CloudEvents type system (String) disallows. */
const illegalChar = fc
  .oneof(
    fc.integer({ min: 0, max: 0x1f }),
    fc.integer({ min: 0x7f, max: 0x9f }),
    fc.integer({ min: 0xfdd0, max: 0xfdef }),
    fc
      .integer({ min: 0, max: 16 })
      .chain((plane) => fc.constantFrom(plane * 0x10000 + 0xfffe, plane * 0x10000 + 0xffff)),
    fc.integer({ min: 0xd800, max: 0xdfff }),
  )
  .map((cp) => String.fromCodePoint(cp));
const extensionName = fc
  .stringMatching(/^[a-z0-9]{1,12}$/)
  .filter((name) => !RESERVED.has(name) && !name.startsWith('knative'));

const sample = fc.record({
  strings: fc.record(
    Object.fromEntries(STRING_ATTRIBUTES.map((name) => [name, legalString])) as Record<
      (typeof STRING_ATTRIBUTES)[number],
      fc.Arbitrary<string>
    >,
  ),
  time: fc
    .date({ min: new Date(0), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
    .map((date) => date.toISOString()),
  datacontenttype: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
  ),
  extensions: fc.dictionary(
    extensionName,
    fc.oneof(legalString, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.boolean()),
    { maxKeys: 4 },
  ),
  // a third of the samples carry one character a CloudEvents String may not
  flaw: fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    {
      weight: 1,
      arbitrary: fc.record({
        attribute: fc.constantFrom<string>(...STRING_ATTRIBUTES, 'flawed'),
        at: fc.nat(),
        char: illegalChar,
      }),
    },
  ),
});

type Sample = typeof sample extends fc.Arbitrary<infer T> ? T : never;

/** The sample's event in its JSON form, with an illegal character put in where the flaw says. */
function eventOf(s: Sample, run: string, seq: number): Record<string, unknown> {
  const values: Record<string, unknown> = { ...s.strings, ...s.extensions };
  if (s.flaw) {
    const chars = [...String(values[s.flaw.attribute] ?? 'flawed value')];
    chars.splice(s.flaw.at % (chars.length + 1), 0, s.flaw.char);
    values[s.flaw.attribute] = chars.join('');
  }
  const json = s.datacontenttype.startsWith('application/json');
  return {
    specversion: '1.0',
    ...values,
    time: s.time,
    datacontenttype: s.datacontenttype,
    fuzzrun: run,
    seq: String(seq),
    data: json ? { seq } : `text ${seq}`,
  };
}

const isLoneSurrogate = (char: string) => /^[\ud800-\udfff]$/.test(char);

function attributesArrived(event: Record<string, unknown>, request: ReceivedRequest): void {
  const arrived: Record<string, string> = {};
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(event)) {
    if (name === 'data') continue;
    sent[name] = String(value);
    const header = request.headers[name === 'datacontenttype' ? 'content-type' : `ce-${name}`];
    // ce- values travel percent-encoded UTF-8 (every "%" encoded): decodeURIComponent reads them.
    arrived[name] =
      name === 'datacontenttype' ? String(header) : decodeURIComponent(String(header));
  }
  expect(arrived).toEqual(sent);
  const data = event.data;
  if (typeof data === 'string') expect(request.body).toBe(data);
  else expect(JSON.parse(request.body)).toEqual(data);
}

export const unicodeRule = {
  rule: 'every attribute and extension, with values from the whole Unicode range, arrives as sent or is refused (400) naming it; one that skipped the ingress is dead-lettered naming it',
  async check({ ingress, eventLog, trigger }: UnicodeWorld): Promise<void> {
    const {
      type: run,
      subscriber,
      deadLetters,
    } = await trigger(undefined, (type) => ({
      filter: { attributes: { fuzzrun: type } },
      delivery: { retry: 0, backoffDelay: 'PT0.1S' },
    }));
    const samples: Sample[] = fc.sample(sample, { seed: SEED, numRuns: SAMPLES });
    const events = samples.map((s, seq) => ({ s, event: eventOf(s, run, seq) }));
    const answers = await Promise.all(
      events.map(async ({ event }) => {
        const response = await postStructured(ingress, event);
        return { status: response.status, body: await response.text() };
      }),
    );
    const legal = events.filter(({ s }) => !s.flaw);
    const flawed = events.filter(({ s }) => s.flaw);
    expect(legal.length).toBeGreaterThan(SAMPLES / 2);
    expect(flawed.length).toBeGreaterThan(5);
    events.forEach(({ s }, seq) => {
      const answer = answers[seq];
      if (!s.flaw) expect({ seq, status: answer?.status }).toEqual({ seq, status: 202 });
      else {
        expect({ seq, status: answer?.status }).toEqual({ seq, status: 400 });
        expect(answer?.body).toContain(`${s.flaw.attribute} has`);
      }
    });

    // A producer that skips the ingress (another Kafka client, code appending to the log): what no
    // header can carry is dead-lettered, naming the attribute. A lone surrogate has no UTF-8 form,
    // so no Kafka record can hold one: those are the ingress's alone.
    const appended = flawed.filter(({ s }) => s.flaw && !isLoneSurrogate(s.flaw.char));
    // the seeded samples reach every kind: astral code points, lone surrogates, the rest
    expect(legal.some(({ event }) => /[\u{10000}-\u{10ffff}]/u.test(String(event.subject)))).toBe(
      true,
    );
    expect(appended.length).toBeGreaterThan(0);
    expect(appended.length).toBeLessThan(flawed.length);
    for (const { event } of appended) await eventLog.append(messageOf(event));

    await eventually(
      async () =>
        (subscriber.received.length >= legal.length &&
          deadLetters.received.length >= appended.length) ||
        undefined,
    );
    const bySeq = (requests: ReceivedRequest[]) =>
      new Map(requests.map((request) => [String(request.headers['ce-seq']), request]));
    const delivered = bySeq(subscriber.received);
    for (const { event } of legal) {
      const request = delivered.get(String(event.seq));
      expect({ seq: event.seq, arrived: request !== undefined }).toEqual({
        seq: event.seq,
        arrived: true,
      });
      attributesArrived(event, request as ReceivedRequest);
    }
    const letters = bySeq(deadLetters.received);
    for (const { s, event } of appended) {
      const letter = letters.get(String(event.seq));
      const reason = Buffer.from(
        String(letter?.headers['ce-knativeerrordata']),
        'base64',
      ).toString();
      expect({ seq: event.seq, reason }).toEqual({
        seq: event.seq,
        reason: expect.stringContaining(`"${s.flaw?.attribute}" cannot be written`),
      });
    }
    expect(subscriber.received).toHaveLength(legal.length);
  },
};
