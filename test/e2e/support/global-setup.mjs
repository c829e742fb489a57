// Jest globalSetup of the e2e project: the test tooling the e2e tests run
// against (the control plane, and whatever else a builder below makes) is
// built, or found in the cache under .cache/, once, before any e2e test file
// runs. Each builder sets the environment variable its tests read.
// Builders run one after the other: the machine has two cores, and Go builds
// share one build cache.
import { controlPlaneBinary, pauseBinary } from './build-control-plane.mjs';

const BUILDERS = [
  ['POD_HARDENER_E2E_CONTROLPLANE', controlPlaneBinary],
  ['POD_HARDENER_E2E_PAUSE', pauseBinary],
  ['POD_HARDENER_E2E_HELM', async () => (await import('./build-helm.mjs')).helmBinary()],
  ['POD_HARDENER_E2E_REGISTRY', async () => (await import('./build-registry.mjs')).registryBinary()],
];

export default async function globalSetup() {
  for (const [variable, build] of BUILDERS) process.env[variable] = await build();
}
