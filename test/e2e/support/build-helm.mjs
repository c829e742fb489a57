// Builds helm, the real one, from its Go module (the version pinned in
// test/e2e/helm/go.mod, as a `tool`), once, into .cache/helm/<key>/helm. The
// chart tests lint, render, install, upgrade and uninstall charts/pod-hardener
// with it against the e2e control plane. Test tooling only.
//
//   node test/e2e/support/build-helm.mjs     (prints the binary's path)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedGoBuild, printBinary, ROOT } from './cached-go-build.mjs';

const SOURCE = 'test/e2e/helm';
const MODULE = 'helm.sh/helm/v4';

/** The helm version go.mod pins: `helm version` reports it, as a release build would. */
function helmVersion() {
  const goMod = readFileSync(join(ROOT, SOURCE, 'go.mod'), 'utf8');
  const version = new RegExp(`^\\s*${MODULE.replaceAll('.', '\\.')} (v\\S+)`, 'm').exec(goMod)?.[1];
  if (!version) throw new Error(`${SOURCE}/go.mod does not require ${MODULE}`);
  return version;
}

export async function helmBinary(options = {}) {
  const ldflags = `-s -w -X ${MODULE}/internal/version.version=${helmVersion()}`;
  return cachedGoBuild({
    name: 'helm',
    what: `helm ${helmVersion()}`,
    source: SOURCE,
    inputs: ['go.mod', 'go.sum'],
    target: `${MODULE}/cmd/helm`,
    ldflags,
    key: [ldflags],
    ...options,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printBinary(helmBinary);
