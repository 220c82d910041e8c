export { resolveTestServers, type TestServers, type ServerSource } from './servers';
export {
  beginTestRun,
  createTestDatabase,
  dropDatabase,
  uniqueName,
  type TestDatabase,
} from './databases';
export { testServerEnv, eventually } from './environment';
export { listKafkaTopics, deleteTopicsCreatedSince } from './kafka-topics';
export { productionInstall, type ProductionInstall } from './production-install';
