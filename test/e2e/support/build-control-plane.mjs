// Builds the e2e control plane (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, kubelet and kubectl in one binary, from the Go modules of
// Kubernetes) and the node's static pause program, once each, cached under
// .cache/controlplane/<key>/ and .cache/pause/<key>/ (cached-go-build.mjs:
// the key covers the Go sources, the Kubernetes version and the Go toolchain).
// Test tooling only: nothing here ships with pod-hardener.
//
//   node test/e2e/support/build-control-plane.mjs     (prints the binary's path)
import { existsSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedGoBuild, printBinary } from './cached-go-build.mjs';

export const KUBERNETES_VERSION = 'v1.36.3';
const SOURCE = 'test/e2e/controlplane';

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

export async function controlPlaneBinary(options = {}) {
  const binary = await cachedGoBuild({
    name: 'controlplane',
    what: `the control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kubectl ${KUBERNETES_VERSION}; several minutes the first time)`,
    source: SOURCE,
    inputs: ['go.mod', 'go.sum', 'main.go'],
    ldflags: ldflags(),
    key: [ldflags()],
    ...options,
  });
  // Each sub-command also answers to its own name (a "kubectl" on PATH behaves like kubectl).
  for (const name of ['kubectl', 'kube-apiserver', 'etcd', 'kube-controller-manager', 'kube-scheduler', 'kubelet']) {
    const link = join(dirname(binary), name);
    if (!existsSync(link)) symlinkSync('controlplane', link);
  }
  return binary;
}

/** The e2e node's sandbox ("pause") program: static, in the control plane's module. */
export async function pauseBinary(options = {}) {
  return cachedGoBuild({
    name: 'pause',
    what: 'the e2e node\'s pause program',
    source: SOURCE,
    inputs: ['go.mod', 'go.sum', 'pause/main.go'],
    target: './pause',
    ...options,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printBinary(controlPlaneBinary);
