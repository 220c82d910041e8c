import { cloudEventOfRecord } from './kafka-source';

const record = (value: string, headers: Array<[string, string]> = [], key = '') => ({
  topic: 'eventline.telemetry.raw',
  partition: 2,
  offset: 41n,
  timestamp: BigInt(Date.UTC(2026, 0, 1)),
  key,
  value: Buffer.from(value),
  headers: new Map(headers),
});

describe("a Kafka record as the KafkaSource's CloudEvent", () => {
  it('gives a plain JSON record the type, source, id and subject Knative gives it, and its bytes as they came', () => {
    const message = cloudEventOfRecord(record('{"a":1}', [], 'd-1'), 'ns', 'telemetry-raw');
    expect(message.attributes).toEqual({
      specversion: '1.0',
      id: 'partition:2/offset:41',
      source: '/apis/v1/namespaces/ns/kafkasources/telemetry-raw#eventline.telemetry.raw',
      type: 'dev.knative.kafka.event',
      subject: 'partition:2#41',
      time: '2026-01-01T00:00:00.000Z',
      datacontenttype: 'application/json',
      key: 'd-1',
    });
    expect(message.body.toString()).toBe('{"a":1}');
  });

  it('labels bytes that are not JSON as octet-stream, even when the record claims JSON, so nothing refuses to carry them', () => {
    const claimed = cloudEventOfRecord(
      record('not json', [['content-type', 'application/json']]),
      'ns',
      's',
    );
    expect(claimed.attributes.datacontenttype).toBe('application/octet-stream');
    expect(
      cloudEventOfRecord(record('plain', [['content-type', 'text/plain']]), 'ns', 's').attributes
        .datacontenttype,
    ).toBe('text/plain');
  });

  it('passes a record in binary content mode on as the CloudEvent it is', () => {
    const message = cloudEventOfRecord(
      record('{"x":true}', [
        ['ce_specversion', '1.0'],
        ['ce_id', 'e-1'],
        ['ce_source', '/devices'],
        ['ce_type', 'dev.example.reading'],
        ['content-type', 'application/json'],
      ]),
      'ns',
      's',
    );
    expect(message.attributes).toEqual({
      specversion: '1.0',
      id: 'e-1',
      source: '/devices',
      type: 'dev.example.reading',
      datacontenttype: 'application/json',
    });
  });
});
