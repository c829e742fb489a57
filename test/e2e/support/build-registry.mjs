// Builds the e2e OCI registry (the CNCF distribution registry, from its Go
// module, with the small main in test/e2e/registry/) once, and caches it under
// .cache/registry/<key>/registry (cached-go-build.mjs). Test tooling only:
// nothing here ships with pod-hardener.
//
//   node test/e2e/support/build-registry.mjs     (prints the binary's path)
import { fileURLToPath } from 'node:url';
import { cachedGoBuild, printBinary } from './cached-go-build.mjs';

export async function registryBinary(options = {}) {
  return cachedGoBuild({
    name: 'registry',
    what: 'the OCI registry (distribution/distribution v3)',
    source: 'test/e2e/registry',
    inputs: ['go.mod', 'go.sum', 'main.go'],
    ...options,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printBinary(registryBinary);
