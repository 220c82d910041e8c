import { defineHandler } from '@eventline/kit';
import { FeatureFlagChanged } from '@eventline/events';
import { cacheKeys, FLAG_CACHE_TTL_SECONDS, loadFlag } from '../../flag-queries';
import { flagsProjectionDecider } from './decider';

/** Projects FeatureFlagChanged into flags.flags and refreshes the flag's cached answer. */
export const flagsProjection = defineHandler({
  name: 'flags-projection',
  accepts: FeatureFlagChanged,
  async handle(change, { tx, pool, cache, afterCommit }) {
    const view = await loadFlag(tx, change.key, true);
    const events = flagsProjectionDecider.decide({ type: 'ProjectFlagChange', data: change }, view);
    for (const { data: next } of events) {
      // The guard repeats the decider's rule for a first change racing another one on the key.
      await tx.query(
        `INSERT INTO flags.flags (key, enabled, version, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO UPDATE SET enabled = $2, version = $3, updated_at = $4
         WHERE flags.version < EXCLUDED.version`,
        [next.key, next.enabled, next.version, next.updatedAt],
      );
      afterCommit(() =>
        cache.refresh(cacheKeys.flag(change.key), FLAG_CACHE_TTL_SECONDS, () =>
          loadFlag(pool, change.key),
        ),
      );
    }
  },
});
