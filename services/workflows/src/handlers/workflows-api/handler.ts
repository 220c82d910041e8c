import { randomUUID } from 'node:crypto';
import { badInput, conflict, defineEdge, notFound } from '@eventline/kit';
import { latestDefinition, putDefinition } from '../../definitions';
import { workflowsConfig } from '../../config';
import { advanceExecution, readExecution, startExecution } from '../../executions';
import { workflowTaskTypes } from '../../task-types';
import { executionView } from './execution-view';
import { parseDefinition, parseName, parseStart, parseStop } from './requests';

const taskTypes = new Set(workflowTaskTypes.map((t) => t.type));

/**
 * The workflows HTTP edge: definitions are put as versions, executions start on the latest
 * version and are read from their event stream.
 */
export const workflowsApi = defineEdge({
  name: 'workflows-api',
  emits: workflowTaskTypes,
  routes(router, { pool, transact }) {
    router.put('/workflows/:name', async (req, res) => {
      const name = parseName(req.params.name, 'name');
      if (typeof name !== 'string') throw badInput(name.error);
      const definition = parseDefinition(
        req.body,
        taskTypes,
        workflowsConfig().WORKFLOWS_MAX_DEFINITION_BYTES,
      );
      if ('error' in definition) throw badInput(definition.error);
      const put = await transact(async (tx) => ({
        result: await putDefinition(tx, name, definition),
      }));
      res.status(put.created ? 201 : 200).json({ name, version: put.version });
    });

    router.post('/workflows/:name/executions', async (req, res) => {
      const name = parseName(req.params.name, 'name');
      if (typeof name !== 'string') throw badInput(name.error);
      const start = parseStart(req.body);
      if ('error' in start) throw badInput(start.error);
      const started = await transact(
        async (tx) => {
          const definition = await latestDefinition(tx, name);
          if (!definition) throw notFound(`no workflow "${name}"`);
          const executionId = randomUUID();
          const decided = await startExecution(tx, pool, executionId, definition, start.input);
          return { result: { executionId, version: definition.version }, emit: decided.emit };
        },
        { idempotencyKey: { req } },
      );
      res.status(202).json(started);
    });

    router.get('/executions/:id', async (req, res) => {
      const id = parseName(req.params.id, 'id');
      if (typeof id !== 'string') throw badInput(id.error);
      const execution = await readExecution(pool, id);
      if (!execution) throw notFound(`no execution "${id}"`);
      res.json(executionView(execution.state, execution.history));
    });

    router.post('/executions/:id/stop', async (req, res) => {
      const id = parseName(req.params.id, 'id');
      if (typeof id !== 'string') throw badInput(id.error);
      const stop = parseStop(req.body);
      if ('error' in stop) throw badInput(stop.error);
      const status = await transact(async (tx) => {
        const decided = await advanceExecution(tx, pool, id, {
          type: 'StopExecution',
          ...stop.stop,
          at: new Date().toISOString(),
        });
        if (!decided) throw notFound(`no execution "${id}"`);
        if (decided.events.length === 0)
          throw conflict(`execution ${id} is ${decided.state.status}, not running`);
        return { result: decided.state.status };
      });
      res.json({ executionId: id, status });
    });
  },
});
