// ESM all the way: the package is "type": "module" (client-node 1.x is ESM-only),
// ts-jest compiles TypeScript to ESM, and npm test runs Jest with
// --experimental-vm-modules. Type checking is `tsc --noEmit` in pretest, so
// ts-jest only transpiles (fast).
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
};

export default {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      // Builds (once, then cached) the real control plane the e2e tests run against.
      globalSetup: '<rootDir>/test/e2e/support/global-setup.mjs',
    },
  ],
};
