import { badInput, defineEdge, notFound, outgoing } from '@eventline/kit';
import { FeatureFlagChanged } from '@eventline/events';
import { flagChanged, parseSetFlag } from '../../domain/flag';
import { cacheKeys, FLAG_CACHE_TTL_SECONDS, listFlags, loadFlag } from '../../flag-queries';
import { setFlagDecider } from './decider';

/**
 * The flags HTTP edge. Commands are recorded and announced as FeatureFlagChanged; queries answer
 * from the read model the projection maintains, through Redis cache-aside.
 */
export const flagsApi = defineEdge({
  name: 'flags-api',
  emits: [FeatureFlagChanged],
  routes(router, { transact, pool, cache }) {
    router.put('/flags/:key', async (req, res) => {
      const command = parseSetFlag(req.params.key, req.body);
      if ('error' in command) throw badInput(command.error);
      // Setting a flag replaces its value, so there is nothing to load.
      const [flagSet] = setFlagDecider.decide({ type: 'SetFlag', data: command });
      const change = await transact(async (tx) => {
        const { rows } = await tx.query<{ version: number; requested_at: Date }>(
          'INSERT INTO flags.commands (key, enabled) VALUES ($1, $2) RETURNING version, requested_at',
          [flagSet.data.key, flagSet.data.enabled],
        );
        const recorded = rows[0] as { version: number; requested_at: Date };
        const event = flagChanged(flagSet.data, recorded.version, recorded.requested_at);
        return {
          result: event,
          emit: [outgoing(FeatureFlagChanged, event, { partitionkey: event.key })],
        };
      });
      res.status(202).json(change);
    });

    router.get('/flags/:key', async (req, res) => {
      const key = req.params.key;
      const flag = await cache.getOrLoad(cacheKeys.flag(key), FLAG_CACHE_TTL_SECONDS, () =>
        loadFlag(pool, key),
      );
      if (!flag) throw notFound(`no flag "${key}"`);
      res.json(flag);
    });

    router.get('/flags', async (_req, res) => {
      // Listing reads Postgres: a cached list would need every change to rebuild it.
      res.json({ flags: await listFlags(pool) });
    });
  },
});
