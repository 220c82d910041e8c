/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/shared', '<rootDir>/services', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(@platformatic/(kafka|dynamic-buffer|wasm-utils))/)'],
  // Package names map to their sources; a file inside a package (its package.json) resolves as
  // installed.
  moduleNameMapper: {
    '^@eventline/service-([^/]+)$': '<rootDir>/services/$1/src',
    '^@eventline/([^/]+)$': '<rootDir>/shared/$1/src',
  },
  globalSetup: '<rootDir>/test/servers/global-setup.ts',
  globalTeardown: '<rootDir>/test/servers/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
