// Jest globalSetup of the e2e project: the control plane binary is built (or
// found in the cache) once, before any e2e test file runs.
import { controlPlaneBinary } from './build-control-plane.mjs';

export default async function globalSetup() {
  process.env.POD_HARDENER_E2E_CONTROLPLANE = await controlPlaneBinary();
}
