import Redis from 'ioredis';
import { eventually, testServerEnv } from '@eventline/testing';
import { shippedModel } from '@eventline/service-fraud';
import {
  customerTransactions,
  DECIDED,
  reaches,
  review,
  startFraudWorld,
  submit,
  view,
  type FraudWorld,
} from './fraud-system';
import { asTestSender } from '../support/senders';

const servers = testServerEnv();

/** A customer with one ordinary purchase behind them, decided, so the next has a history. */
async function knownCustomer(world: FraudWorld, customerId: string) {
  const next = customerTransactions(customerId);
  const first = next();
  expect((await submit(world, first)).status).toBe(202);
  await reaches(world, first.transactionId, DECIDED);
  return next;
}

describe('fraud scoring on real Kafka, Postgres and Redis, each handler its own process', () => {
  let world: FraudWorld;
  let redis: Redis;

  beforeAll(async () => {
    world = await startFraudWorld({ env: { FRAUD_REVIEW_TIMEOUT_MS: '600000' } });
    redis = new Redis(servers.redisUrl);
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
    redis?.disconnect();
  });

  it('given a known customer, when they buy as usual, then it is approved with its score, reasons and model version, and the FraudScore is cached with a TTL', async () => {
    const next = await knownCustomer(world, 'c-usual');
    const usual = next({ amount: 2_500 });
    const response = await submit(world, usual);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ transactionId: usual.transactionId });

    const decided = await reaches(world, usual.transactionId, DECIDED);
    expect(decided).toMatchObject({
      ...usual,
      status: 'approved',
      decision: 'approve',
      modelVersion: shippedModel().version,
      rules: [],
      review: null,
    });
    expect(decided.score).toBeLessThan(0.5);
    expect(decided.reasons!.length).toBeLessThanOrEqual(3);
    const cached = `${world.redisPrefix}fraud:score:${usual.transactionId}`;
    expect(JSON.parse((await redis.get(cached)) as string)).toMatchObject({
      status: 'approved',
      score: decided.score,
    });
    expect(await redis.ttl(cached)).toBeGreaterThan(0);
    const announced = await eventually(async () =>
      world.decisions.received
        .map((r) => JSON.parse(r.body) as { transactionId: string; decision: string })
        .find((d) => d.transactionId === usual.transactionId),
    );
    expect(announced).toMatchObject({ decision: 'approve', modelVersion: shippedModel().version });
  });

  it('given a known customer, when a large purchase abroad at a new merchant comes, then it is declined and the reasons name what gave it away', async () => {
    const next = await knownCustomer(world, 'c-stolen');
    const stolen = next({ amount: 300_000, country: 'US', merchant: 'electronics-online' });
    await submit(world, stolen);
    const decided = await reaches(world, stolen.transactionId, DECIDED);
    expect(decided).toMatchObject({ status: 'declined', decision: 'decline' });
    expect(decided.score).toBeGreaterThanOrEqual(0.9);
    // A hundred times their usual amount weighs most.
    expect(decided.reasons![0]).toMatchObject({ feature: 'amountVsMean' });
    expect(decided.reasons!.every((r) => r.contribution > 0)).toBe(true);
  });

  it('given a country on the block list, when a transaction comes from it, then the rule declines it whatever the score', async () => {
    const next = await knownCustomer(world, 'c-blocked');
    const blocked = next({ amount: 1_000, country: 'KP' });
    await submit(world, blocked);
    const decided = await reaches(world, blocked.transactionId, DECIDED);
    expect(decided).toMatchObject({
      status: 'declined',
      rules: [{ rule: 'blocked-country', effect: 'decline' }],
    });
  });

  it('given a purchase the model is unsure of, when decided, then it waits for review; the reviewer approves it; a second answer is 409 saying what happened', async () => {
    const next = await knownCustomer(world, 'c-unsure');
    const unsure = next({ amount: 9_000, merchant: 'furniture' });
    await submit(world, unsure);
    const waiting = await reaches(world, unsure.transactionId, DECIDED);
    expect(waiting).toMatchObject({ status: 'in-review', decision: 'review' });
    expect(waiting.score).toBeGreaterThanOrEqual(0.5);
    expect(waiting.score).toBeLessThan(0.9);
    expect(Date.parse(waiting.review!.dueAt)).toBeGreaterThan(Date.now());

    const approved = await review(world, unsure.transactionId, { approve: true });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({
      status: 'approved',
      decision: 'review',
      review: { by: 'reviewer' },
    });
    expect(await view(world, unsure.transactionId)).toMatchObject({ status: 'approved' });

    const again = await review(world, unsure.transactionId, { approve: false });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toContain(
      `transaction ${unsure.transactionId} was reviewed already: approved at`,
    );
  });

  it('given an approved transaction, when a reviewer answers, then 409: it was not sent to review', async () => {
    const next = await knownCustomer(world, 'c-approved');
    const approved = next({ amount: 2_000 });
    await submit(world, approved);
    await reaches(world, approved.transactionId, ['approved']);
    const response = await review(world, approved.transactionId, { approve: false });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: string }).error).toContain(
      'was not sent to review: it was approved',
    );
  });

  it('given one Idempotency-Key sent five times at once, when submitted, then one transaction is scored once and every answer is the same', async () => {
    const next = customerTransactions('c-keyed');
    const keyed = next();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => submit(world, keyed, 'tx-key-1')),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    const bodies = await Promise.all(answers.map((a) => a.json()));
    expect(new Set(bodies.map((b) => JSON.stringify(b)))).toEqual(
      new Set([JSON.stringify({ transactionId: keyed.transactionId })]),
    );
    await reaches(world, keyed.transactionId, DECIDED);
    const claims = await world.pool.query(
      `SELECT count(*)::int AS n FROM eventline.idempotency_keys WHERE consumer = 'transactions-api' AND key = 'tx-key-1'`,
    );
    expect(claims.rows[0]).toEqual({ n: 1 });

    const reused = await submit(world, next(), 'tx-key-1');
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { error: string }).error).toContain('tx-key-1');
  });

  it('given a transaction id submitted already, when the same transaction comes again without a key, then it is accepted once; with other details, 422 naming the id', async () => {
    const next = customerTransactions('c-twice');
    const once = next();
    expect((await submit(world, once)).status).toBe(202);
    await reaches(world, once.transactionId, DECIDED);
    expect((await submit(world, once)).status).toBe(202);

    const changed = await submit(world, { ...once, amount: once.amount + 1 });
    expect(changed.status).toBe(422);
    expect(((await changed.json()) as { error: string }).error).toBe(
      `transactionId ${once.transactionId} was submitted already with other details`,
    );
    // Wait for anything a second submission could have set off, then count.
    const later = next();
    await submit(world, later);
    await reaches(world, later.transactionId, DECIDED);
    await eventually(async () =>
      world.decisions.received.some((r) => r.body.includes(later.transactionId)) ? true : undefined,
    );
    const decisionsOfOnce = world.decisions.received.filter((r) =>
      r.body.includes(`"${once.transactionId}"`),
    );
    expect(decisionsOfOnce).toHaveLength(1);
    const members = await redis.zrange(`${world.redisPrefix}fraud:velocity:c-twice`, 0, -1);
    expect(members.sort()).toEqual(
      [`${once.transactionId}|${once.amount}`, `${later.transactionId}|${later.amount}`].sort(),
    );
  });

  const valid = customerTransactions('c-bad')();
  it.each([
    ['no transactionId', { ...valid, transactionId: undefined }, 'transactionId'],
    ['a transactionId with a space', { ...valid, transactionId: 'a b' }, 'transactionId'],
    ['no customerId', { ...valid, customerId: '' }, 'customerId'],
    ['a fractional amount', { ...valid, amount: 10.5 }, 'amount'],
    ['a negative amount', { ...valid, amount: -1 }, 'amount'],
    ['an amount beyond the bound', { ...valid, amount: 10 ** 15 + 1 }, 'amount'],
    ['an amount as a string', { ...valid, amount: '100' }, 'amount'],
    ['an unknown currency', { ...valid, currency: 'XYZ' }, 'currency'],
    ['a lower-case currency', { ...valid, currency: 'eur' }, 'currency'],
    ['no merchant', { ...valid, merchant: '' }, 'merchant'],
    ['a merchant too long', { ...valid, merchant: 'm'.repeat(129) }, 'merchant'],
    ['an unknown country', { ...valid, country: 'XX' }, 'country'],
    ['a three-letter country', { ...valid, country: 'FRA' }, 'country'],
    ['a date that is not ISO 8601', { ...valid, at: 'yesterday' }, 'at'],
    ['a date without a time zone', { ...valid, at: '2026-01-05T12:00:00' }, 'at'],
    [
      'a date in the future',
      { ...valid, at: new Date(Date.now() + 3_600_000).toISOString() },
      'at',
    ],
    ['an array body', [valid], 'body'],
  ])('given %s, when POST /transactions, then 400 naming the field', async (_case, body, field) => {
    const response = await submit(world, body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(
      new RegExp(`^${field}\\b`),
    );
  });

  it('given malformed JSON or a key too long, when POST /transactions, then 400 naming it', async () => {
    const malformed = await fetch(`${world.system.edgeUrl}/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"transactionId":',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toContain('malformed JSON');
    const longKey = await submit(world, valid, 'k'.repeat(201));
    expect(longKey.status).toBe(400);
    expect(((await longKey.json()) as { error: string }).error).toContain('Idempotency-Key');
  });

  it('given a bad id, an unknown id or a bad answer, when GET or reviewed, then 400 or 404 naming it', async () => {
    const badId = await fetch(`${world.system.edgeUrl}/transactions/${encodeURIComponent('a b')}`);
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { error: string }).error).toContain('transaction id');
    expect((await fetch(`${world.system.edgeUrl}/transactions/nobody`)).status).toBe(404);

    const notBoolean = await review(world, 'nobody', { approve: 'yes' });
    expect(notBoolean.status).toBe(400);
    expect(((await notBoolean.json()) as { error: string }).error).toBe(
      'approve must be a boolean',
    );
    expect((await review(world, 'nobody', {})).status).toBe(400);
    expect((await review(world, 'nobody', { approve: true })).status).toBe(404);
    expect((await review(world, 'a%20b', { approve: true })).status).toBe(400);
  });

  it('given a TransactionSubmitted that breaks its schema, when the broker delivers it, then enrich refuses it (400) and it is dead-lettered with the reason', async () => {
    const accepted = await fetch(world.system.brokerUrl, {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': 'forged-1',
        'ce-source': '/tests',
        'ce-type': 'dev.eventline.fraud.transaction-submitted',
        'content-type': 'application/json',
        ...asTestSender,
      },
      body: JSON.stringify({ transactionId: 'forged', amount: 'lots' }),
    });
    expect(accepted.status).toBe(202);
    const letter = await eventually(async () => {
      const { letters } = (await (await fetch(`${world.system.edgeUrl}/dead-letters`)).json()) as {
        letters: Array<{ event: { id: string }; status: number; response: string }>;
      };
      return letters.find((l) => l.event.id === 'forged-1');
    }, 30_000);
    expect(letter.status).toBe(400);
    expect(letter.response).toContain('customerId');
  });
});
