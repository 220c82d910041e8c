import type { ServiceDefinition } from '@eventline/kit';

/** Loads the service package a routed handler belongs to. */
export function loadService(packageName: string): ServiceDefinition {
  // The routing file names packages; requiring them by name keeps the platform free of
  // compile-time imports of any service.
  return (require(`@eventline/service-${packageName}`) as { service: ServiceDefinition }).service;
}
