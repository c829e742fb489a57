// Builds the e2e control plane (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, kubelet and kubectl in one binary, from the Go modules of
// Kubernetes) once, with the node's static pause program beside it, and
// caches both under .cache/controlplane/<key>/ — the key covers the Go
// sources, the Kubernetes version and the Go toolchain, so a change rebuilds it.
// Test tooling only: nothing here ships with pod-hardener.
//
//   node test/e2e/support/build-control-plane.mjs     (prints the binary's path)
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCE = join(ROOT, 'test/e2e/controlplane');
export const KUBERNETES_VERSION = 'v1.36.3';

function ldflags() {
  const [major, minor] = KUBERNETES_VERSION.slice(1).split('.');
  return [
    '-s', '-w',
    `-X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION}`,
    `-X k8s.io/component-base/version.gitMajor=${major}`,
    `-X k8s.io/component-base/version.gitMinor=${minor}`,
    '-X k8s.io/component-base/version.gitTreeState=clean',
    '-X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z',
  ].join(' ');
}

async function goVersion() {
  try {
    return (await run('go', ['version'])).stdout.trim();
  } catch {
    throw new Error('the end-to-end tests build a real Kubernetes API server from Go modules, and need Go on the PATH (test tooling only)');
  }
}

/** One static build into `output`, appearing by an atomic rename (a build that dies half-way is never taken for a cached one). */
async function goBuild(target, output, flags) {
  const partial = `${output}.${process.pid}.partial`;
  try {
    await run('go', ['build', '-trimpath', '-ldflags', flags, '-o', partial, target], {
      cwd: SOURCE,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    rmSync(partial, { force: true });
    throw new Error(`e2e: go build of ${target} in the control plane module failed:\n${error.stderr ?? error.message}`);
  }
  renameSync(partial, output);
}

export async function controlPlaneBinary({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go', 'pause/main.go']) hash.update(readFileSync(join(SOURCE, file)));
  hash.update(await goVersion());
  hash.update(ldflags());
  const directory = join(ROOT, '.cache/controlplane', hash.digest('hex').slice(0, 16));
  const binary = join(directory, 'controlplane');
  if (existsSync(binary)) return binary;

  log(`e2e: building the control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kubectl ${KUBERNETES_VERSION}) from Go modules;`);
  log('e2e: the first build takes several minutes and is cached in .cache/controlplane/');
  const started = Date.now();
  mkdirSync(directory, { recursive: true });
  // The pause program first: the control plane binary's presence says both are there.
  await goBuild('./pause', join(directory, 'pause'), '-s -w');
  await goBuild('.', binary, ldflags());
  for (const name of ['kubectl', 'kube-apiserver', 'etcd', 'kube-controller-manager', 'kube-scheduler', 'kubelet']) {
    const link = join(dirname(binary), name);
    if (!existsSync(link)) symlinkSync('controlplane', link);
  }
  log(`e2e: control plane built in ${Math.round((Date.now() - started) / 1000)} s: ${binary}`);
  return binary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  controlPlaneBinary().then((binary) => process.stdout.write(`${binary}\n`), (error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
