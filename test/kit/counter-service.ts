import { defineEvent } from '@eventline/events';
import {
  badInput,
  conflict,
  defineEdge,
  defineHandler,
  defineService,
  outgoing,
  transient,
} from '@eventline/kit';

/** A small service exercising every kit path: state, reply, emission, error kinds. */
export const Increment = defineEvent('test.counter.increment', {
  type: 'object',
  required: ['counter', 'by'],
  additionalProperties: false,
  properties: {
    counter: { type: 'string', minLength: 1 },
    by: { type: 'integer', minimum: 1 },
    fail: { enum: ['bad-input', 'conflict', 'transient', 'crash', 'after-emit'] },
    slowMs: { type: 'integer' },
  },
} as const);

export const Incremented = defineEvent('test.counter.incremented', {
  type: 'object',
  required: ['counter', 'total'],
  properties: { counter: { type: 'string' }, total: { type: 'integer' } },
} as const);

export const counterHandler = defineHandler({
  name: 'counter',
  accepts: Increment,
  emits: [Incremented],
  async handle(command, { tx }) {
    if (command.fail === 'bad-input') throw badInput('counter refuses this');
    if (command.fail === 'conflict') throw conflict('try again');
    if (command.fail === 'transient') throw transient('dependency away');
    if (command.fail === 'crash') throw new Error('secret internal detail');
    if (command.slowMs) await new Promise((resolve) => setTimeout(resolve, command.slowMs));
    const { rows } = await tx.query<{ total: number }>(
      `INSERT INTO counters.totals (counter, total) VALUES ($1, $2)
       ON CONFLICT (counter) DO UPDATE SET total = totals.total + $2 RETURNING total`,
      [command.counter, command.by],
    );
    const total = (rows[0] as { total: number }).total;
    if (command.fail === 'after-emit') throw new Error('failed after deciding to emit');
    const event = outgoing(
      Incremented,
      { counter: command.counter, total },
      { partitionkey: command.counter },
    );
    return { reply: event, emit: [event] };
  },
});

export const counterEdge = defineEdge({
  name: 'counter-edge',
  emits: [Incremented],
  routes(router, { transact }) {
    router.post('/counters/:counter/reset', async (req, res) => {
      await transact(async (tx) => {
        await tx.query('DELETE FROM counters.totals WHERE counter = $1', [req.params.counter]);
        return {
          result: undefined,
          emit: [outgoing(Incremented, { counter: req.params.counter, total: 0 })],
        };
      });
      res.status(202).end();
    });

    // Adds once per Idempotency-Key: `slowMs` holds the transaction open so repeats overlap it,
    // `fail` throws after the change, before the commit.
    router.post('/counters/:counter/add', async (req, res) => {
      const { by, slowMs, fail } = req.body as { by?: unknown; slowMs?: number; fail?: boolean };
      if (!Number.isInteger(by)) throw badInput('by must be an integer');
      const counter = req.params.counter as string;
      const added = await transact(
        async (tx) => {
          const { rows } = await tx.query<{ total: number }>(
            `INSERT INTO counters.totals (counter, total) VALUES ($1, $2)
             ON CONFLICT (counter) DO UPDATE SET total = totals.total + $2 RETURNING total`,
            [counter, by],
          );
          if (slowMs) await new Promise((resolve) => setTimeout(resolve, slowMs));
          if (fail) throw new Error('failed after the change');
          const total = (rows[0] as { total: number }).total;
          return {
            result: { counter, total },
            emit: [outgoing(Incremented, { counter, total })],
          };
        },
        { idempotencyKey: { req } },
      );
      res.status(201).json(added);
    });
  },
});

export const counterService = defineService({
  package: 'counter',
  schema: 'counters',
  migrations: [
    { id: '001', sql: 'CREATE TABLE totals (counter text PRIMARY KEY, total bigint NOT NULL)' },
  ],
  handlers: [counterHandler, counterEdge],
});
