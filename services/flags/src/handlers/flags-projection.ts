import { defineHandler } from '@eventline/kit';
import { FeatureFlagChanged } from '@eventline/events';
import { evolveFlag } from '../domain/flag';
import { cacheKeys, FLAG_CACHE_TTL_SECONDS, loadFlag } from '../flag-queries';

/** Projects FeatureFlagChanged into flags.flags and refreshes the flag's cached answer. */
export const flagsProjection = defineHandler({
  name: 'flags-projection',
  accepts: FeatureFlagChanged,
  async handle(change, { tx, pool, cache, afterCommit }) {
    const current = await loadFlag(tx, change.key, true);
    const next = evolveFlag(current, change);
    if (next === current) return;
    // The guard repeats evolveFlag's rule for a first change racing another one on the same key.
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
  },
});
