import type { EventDefinition } from './define';
import { generatedCatalog } from './generated/catalog';

/** Every CloudEvent type Eventline emits or accepts; contract tests validate against these. */
export const eventCatalog: EventDefinition[] = generatedCatalog;
