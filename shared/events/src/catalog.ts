import type { EventDefinition } from './define';
import { FeatureFlagChanged } from './flags';

/** Every CloudEvent type Eventline emits or accepts; contract tests validate against these. */
export const eventCatalog: EventDefinition[] = [FeatureFlagChanged];
