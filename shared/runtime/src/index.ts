export {
  startLocalSystem,
  type LocalSystem,
  type LocalSystemOptions,
  type Topology,
} from './local-system';
export { migrateAsPackageRoles, type PackageConnection } from './database-roles';
export { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
export { HandlerProcess, freePort, waitUntilReady, serviceEntryPoint } from './handler-process';
export { DispatcherProcess, type DispatcherProcessOptions } from './dispatcher-process';
export { startGateway, type Gateway, type GatewayOptions } from './gateway';
export { catalogDocument, catalogResponder } from './catalog';
export { AdminEndpoints, PerSecond, type Overview, type TriggerOverview } from './admin';
export { startHybridSystem, REGION_NAME, type HybridOptions, type HybridSystem } from './regions';
