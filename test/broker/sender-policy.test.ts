import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KafkaEventLog, LocalBroker, SenderPolicy, kafkaNames } from '@eventline/broker';
import { createLogger } from '@eventline/telemetry';
import { eventually, testServerEnv, uniqueName } from '@eventline/testing';
import { RecordingSubscriber } from '../support/recording-subscriber';
import { binaryHeaders, postBinary } from '../support/cloudevents';

const logger = createLogger('sender-policy', 'silent');
const servers = testServerEnv();
const FAST = { retry: 3, backoffPolicy: 'linear' as const, backoffDelay: 'PT0.01S' };

/**
 * Knative's EventPolicy on the local broker over Kafka: the saga may send requests, the step its
 * outcome, each only what it was granted, whether posted with its token or as a reply.
 */
describe('sender authorization on the broker over Kafka', () => {
  const namespace = uniqueName('senders');
  const policy = new SenderPolicy(
    [
      { sender: 'handler saga', types: ['step.requested'] },
      { sender: 'handler step', types: ['step.outcome'] },
      { sender: 'handler sweep', types: ['*'] },
    ],
    new Map([
      ['saga-token-0123456789', 'handler saga'],
      ['step-token-0123456789', 'handler step'],
      ['sweep-token-0123456789', 'handler sweep'],
    ]),
  );
  let broker: LocalBroker;
  let server: http.Server;
  let ingress: string;
  const subscribers: RecordingSubscriber[] = [];
  const subscriber = async (...args: ConstructorParameters<typeof RecordingSubscriber>) => {
    const started = await new RecordingSubscriber(...args).start();
    subscribers.push(started);
    return started;
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    broker = new LocalBroker({
      namespace,
      name: 'default',
      eventLog: new KafkaEventLog({
        brokers: servers.kafkaBrokers.split(','),
        topic: kafkaNames.topic(namespace, 'default'),
        partitions: 2,
        log: logger,
      }),
      logger,
      senders: policy,
    });
    server = http.createServer(broker.ingress());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ingress = `http://127.0.0.1:${(server.address() as AddressInfo).port}${broker.path}`;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(subscribers.map((s) => s.stop()));
    await new Promise<void>((resolve) => {
      server?.close(() => resolve());
      server?.closeAllConnections();
    });
    await broker?.close();
  });

  it('given senders with tokens, when each posts what it may and what it may not, then what it may is accepted (a * grant: any type) and the rest refused with 403 naming type and sender, and only what was accepted is appended', async () => {
    const appended = broker.eventsAppended;
    const posts = await Promise.all([
      postBinary(ingress, 'step.requested', {}, bearer('saga-token-0123456789')),
      postBinary(ingress, 'step.outcome', {}, bearer('saga-token-0123456789')),
      postBinary(ingress, 'step.outcome', {}, bearer('not-a-token-of-anyone')),
      postBinary(ingress, 'step.outcome', {}),
      postBinary(ingress, 'step.outcome', {}, { authorization: 'step-token-0123456789' }),
      postBinary(ingress, 'anything.at.all', {}, bearer('sweep-token-0123456789')),
    ]);

    expect(posts.map((p) => p.status)).toEqual([202, 403, 403, 403, 403, 202]);
    expect(await posts[1]?.json()).toEqual({
      error: 'handler saga may not send step.outcome to this broker',
      type: 'step.outcome',
      sender: 'handler saga',
    });
    for (const refused of posts.slice(2, 5))
      expect(await refused.json()).toEqual({
        error: expect.stringContaining('an unknown sender'),
        type: 'step.outcome',
        sender: null,
      });
    expect(broker.eventsAppended).toBe(appended + 2);
  });

  it('given a structured-mode event, when its sender may not send its type, then it is refused as a binary one is', async () => {
    const response = await fetch(ingress, {
      method: 'POST',
      headers: {
        'content-type': 'application/cloudevents+json',
        ...bearer('step-token-0123456789'),
      },
      body: JSON.stringify({ specversion: '1.0', id: 's-1', source: '/t', type: 'step.requested' }),
    });

    expect(response.status).toBe(403);
    expect(((await response.json()) as { sender: string }).sender).toBe('handler step');
  });

  it('given a step replying, when its reply is a type the step may send, then the reply re-enters the broker; when not, the delivery fails with 403 without retries and is dead-lettered, the reply never appended', async () => {
    const outcomes = await subscriber();
    const deadLetters = await subscriber();
    const reply = (type: string) => (request: { headers: http.IncomingHttpHeaders }) => ({
      status: 200,
      headers: binaryHeaders(type, { 'ce-id': `reply-${String(request.headers['ce-id'])}` }),
      body: '{}',
    });
    const honest = await subscriber(reply('step.outcome'));
    const lying = await subscriber(reply('step.requested'));
    const trigger = (name: string, type: string, url: string) =>
      broker.addTrigger({
        name,
        subscriber: url,
        filter: { attributes: { type } },
        ordered: false,
        delivery: { ...FAST, deadLetterSink: deadLetters.url },
        sender: 'handler step',
      });
    await trigger('honest', 'honest.request', honest.url);
    await trigger('lying', 'lying.request', lying.url);
    await trigger('outcomes', 'step.outcome', outcomes.url);
    await trigger('requests', 'step.requested', outcomes.url);
    const sweep = bearer('sweep-token-0123456789');

    await postBinary(ingress, 'honest.request', {}, { ...sweep, 'ce-id': 'h-1' });
    await postBinary(ingress, 'lying.request', {}, { ...sweep, 'ce-id': 'l-1' });

    await eventually(async () => (outcomes.ids().includes('reply-h-1') ? true : undefined));
    const letter = await eventually(async () => deadLetters.received[0]);
    expect(letter.headers['ce-id']).toBe('l-1');
    expect(letter.headers['ce-knativeerrorcode']).toBe('403');
    expect(
      Buffer.from(String(letter.headers['ce-knativeerrordata']), 'base64').toString(),
    ).toContain('handler step may not send step.requested');
    expect(lying.received).toHaveLength(1);
    expect(outcomes.ids()).toEqual(['reply-h-1']);
  }, 30_000);
});
