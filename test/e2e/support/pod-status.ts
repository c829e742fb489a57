/**
 * The judge of the node scenarios: a pod's real status. Either it runs, or the
 * kubelet or the runtime says why not (a container's waiting reason and
 * message, e.g. CreateContainerConfigError "container has runAsNonRoot and
 * image will run as root"), or the app in it started and failed.
 */
import type { ControlPlane } from './control-plane.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface PodVerdict {
  phase: string;
  /** Every container, init container included, as the kubelet reports it. */
  containers: Array<{ name: string; ready: boolean; running: boolean; restarts: number; waiting?: { reason: string; message: string }; terminated?: { reason: string; exitCode: number } }>;
  /** The first container the kubelet or runtime refused, if any. */
  refused?: { container: string; reason: string; message: string };
  /** The first container whose process started and exited with an error (now or before its last restart). */
  crashed?: { container: string; exitCode: number };
}

/** Waiting reasons that only mean "not yet" (pkg/kubelet/container: ContainerCreating, PodInitializing). */
const TRANSIENT = new Set(['ContainerCreating', 'PodInitializing']);

export function verdictOf(pod: Obj): PodVerdict {
  const statuses: Obj[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  const containers = statuses.map((s) => ({
    name: s.name as string,
    ready: Boolean(s.ready),
    running: Boolean(s.state?.running),
    restarts: Number(s.restartCount ?? 0),
    ...(s.state?.waiting ? { waiting: { reason: String(s.state.waiting.reason ?? ''), message: String(s.state.waiting.message ?? '') } } : {}),
    ...(s.state?.terminated ? { terminated: { reason: String(s.state.terminated.reason ?? ''), exitCode: Number(s.state.terminated.exitCode) } } : {}),
  }));
  // An app that fails is restarted; CrashLoopBackOff is the kubelet waiting to restart it, not a refusal.
  const refused = containers.find((c) => c.waiting && c.waiting.reason !== '' && !TRANSIENT.has(c.waiting.reason) && c.waiting.reason !== 'CrashLoopBackOff');
  const failure = statuses.map((s) => ({ name: s.name as string, terminated: (s.state?.terminated ?? s.lastState?.terminated) as Obj | undefined })).find((s) => s.terminated && Number(s.terminated.exitCode) !== 0);
  return {
    phase: String(pod.status?.phase ?? 'Unknown'),
    containers,
    ...(refused?.waiting ? { refused: { container: refused.name, reason: refused.waiting.reason, message: refused.waiting.message } } : {}),
    ...(failure ? { crashed: { container: failure.name, exitCode: Number(failure.terminated?.exitCode) } } : {}),
  };
}

/** How long a pod must stay running and ready, without a restart, to count as running (an app may start, then fail). */
const STEADY_MS = 2000;

/**
 * Waits until the pod runs with every regular container ready and steady, or
 * a container is refused or crashes, or the pod ends; returns the verdict
 * either way (a refusal is a result to assert on, not an error). Times out
 * with the last status seen.
 */
export async function podOutcome(plane: ControlPlane, namespace: string, name: string, options: { timeoutMs?: number } = {}): Promise<PodVerdict> {
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  let last: PodVerdict | undefined;
  let runningSince: number | undefined;
  for (;;) {
    const result = await plane.kubectl(['get', 'pod', name, '-n', namespace, '-o', 'json'], { allowFailure: true });
    if (result.code === 0) {
      const pod = JSON.parse(result.stdout) as Obj;
      last = verdictOf(pod);
      const regular = new Set(((pod.spec?.containers ?? []) as Obj[]).map((c) => c.name as string));
      const allReady = last.containers.filter((c) => regular.has(c.name)).length === regular.size && last.containers.filter((c) => regular.has(c.name)).every((c) => c.ready);
      if (last.refused || last.crashed || last.phase === 'Succeeded' || last.phase === 'Failed') return last;
      const steady = last.phase === 'Running' && allReady && last.containers.every((c) => c.restarts === 0);
      runningSince = steady ? (runningSince ?? Date.now()) : undefined;
      if (runningSince !== undefined && Date.now() - runningSince >= STEADY_MS) return last;
    }
    if (Date.now() > deadline) throw new Error(`pod ${namespace}/${name} neither ran nor was refused in time; last status: ${JSON.stringify(last ?? result.stderr)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
