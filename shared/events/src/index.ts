export { defineEvent, type EventDefinition, type DataOf } from './define';
export { eventCatalog } from './catalog';
export { FeatureFlagChanged } from './flags';
