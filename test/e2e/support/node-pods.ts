/** Pods and commands for the node scenarios: test images from containerd's store, shell commands inside containers. */
import type { Container, Pod, PodSpec } from '../../../src/engine/pod.js';
import type { ControlPlane, KubectlResult } from './control-plane.js';

/** A container of a test image imported into the node (never pulled), stopping fast. */
export function nodeContainer(name: string, image: string, extra: Partial<Container> = {}): Container {
  return { name, image, imagePullPolicy: 'Never', ...extra };
}

/** A pod of one container, as an app team writes it: no securityContext unless given. */
export function nodePod(name: string, namespace: string, image: string, options: { annotations?: Record<string, string>; container?: Partial<Container>; spec?: Partial<PodSpec> } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, ...(options.annotations ? { annotations: options.annotations } : {}) },
    spec: { terminationGracePeriodSeconds: 1, containers: [nodeContainer('app', image, options.container)], ...options.spec },
  };
}

/** Runs a shell script in a running container through the API server and the kubelet (kubectl exec). */
export function shell(plane: ControlPlane, namespace: string, pod: string, script: string, container = 'app'): Promise<KubectlResult> {
  return plane.kubectl(['exec', pod, '-n', namespace, '-c', container, '--', 'sh', '-c', script], { allowFailure: true });
}

/** The fields of /proc/self/status that show what the runtime enforced, as the process inside sees them. */
export async function procStatus(plane: ControlPlane, namespace: string, pod: string, container = 'app'): Promise<Record<string, string>> {
  const result = await shell(plane, namespace, pod, 'cat /proc/self/status', container);
  if (result.code !== 0) throw new Error(`cat /proc/self/status in ${namespace}/${pod}/${container} failed: ${result.stderr}`);
  return Object.fromEntries(result.stdout.split('\n').map((line) => line.split(/:\s*/, 2)).filter((kv): kv is [string, string] => kv.length === 2));
}
