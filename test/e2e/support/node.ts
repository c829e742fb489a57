/**
 * A real node for the end-to-end tests: containerd + runc from Debian, the
 * kubelet and kube-scheduler from the control plane binary (built from the
 * v1.36.3 Go modules), a bridge network, everything under one temp folder and
 * torn down in the order that leaves nothing behind. Pods are judged where
 * they break: by the kubelet and the runtime.
 *
 * The control plane must run with NODE_CONTROL_PLANE (Node authorization,
 * NodeRestriction, the controllers a node needs).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Containerd } from './containerd.js';
import { freePort, type ControlPlane, type ControlPlaneOptions } from './control-plane.js';
import { ensurePackages } from './debian-packages.js';
import { kubeletConfiguration } from './kubelet-config.js';
import { cgroupHierarchies, nodeAddress } from './node-host.js';
import { buildImage, buildProgramImage, ociArchive, type BuiltImage, type ImageSpec } from './oci-image.js';

const run = promisify(execFile);

/** What the API server and controller manager need for a node to join and run pods. */
export const NODE_CONTROL_PLANE: ControlPlaneOptions = {
  // A kubelet may only touch its own Node and its pods' objects (Node authorizer + NodeRestriction admission).
  apiServerArgs: ['--authorization-mode=Node,RBAC', '--enable-admission-plugins=NodeRestriction'],
  // Pods mounting a service-account token wait for the kube-root-ca.crt ConfigMap; the scheduler
  // waits for the node's not-ready taint to be lifted by the node lifecycle controller.
  controllers: ['root-ca-certificate-publisher-controller', 'node-lifecycle-controller'],
};

export const NODE_NAME = 'e2e-node';

export class NodeTeardownError extends Error {
  override readonly name = 'NodeTeardownError';
}

const SANDBOX_IMAGE = 'e2e.local/pause:1';

export interface NodeOptions {
  /** Plain-HTTP registries on loopback (host:port) containerd may pull from. */
  registries?: string[];
}

function pauseBinary(): string {
  const binary = process.env.POD_HARDENER_E2E_PAUSE;
  if (!binary) throw new Error('POD_HARDENER_E2E_PAUSE is not set: run the e2e tests through jest (npm test or npm run test:e2e), whose global setup builds the pause program');
  return binary;
}

export class TestNode {
  private containerd: Containerd | undefined;
  private readonly cgroupRoot: string;
  private readonly bridge: string;
  private readonly podSubnet: string;

  private constructor(readonly plane: ControlPlane, readonly dir: string) {
    const n = Math.floor(Math.random() * 250) + 1;
    // One node per folder: its own cgroup parent, bridge and pod subnet, so a
    // second node on the same machine (another test run) never shares them.
    this.cgroupRoot = `/${dir.split('/').pop()}`;
    this.bridge = `phe2e${n}`;
    this.podSubnet = `10.244.${n}.0/24`;
  }

  static async start(plane: ControlPlane, options: NodeOptions = {}): Promise<TestNode> {
    await ensurePackages(['containerd', 'runc', 'containernetworking-plugins', 'busybox-static'], 'the e2e node');
    const node = new TestNode(plane, mkdtempSync(join(tmpdir(), 'ph-node-')));
    try {
      await node.boot(options);
    } catch (error) {
      // The boot failure is the error to see; a teardown that also fails would hide it.
      await node.stop().catch(() => undefined);
      throw error;
    }
    return node;
  }

  private path(name: string): string {
    return join(this.dir, name);
  }

  private get runtime(): Containerd {
    if (!this.containerd) throw new Error('the node has no containerd: it did not start, or was stopped');
    return this.containerd;
  }

  private async boot(options: NodeOptions): Promise<void> {
    this.containerd = await Containerd.start(this.path('containerd'), {
      sandboxImage: SANDBOX_IMAGE,
      podSubnet: this.podSubnet,
      bridge: this.bridge,
      ...(options.registries ? { registries: options.registries } : {}),
    });
    // The sandbox image: the upstream pause image's job, at its user (65535), from no registry.
    await this.importImage(await buildProgramImage({ name: SANDBOX_IMAGE, user: '65535:65535' }, pauseBinary(), this.path('images')), SANDBOX_IMAGE);
    this.makeCgroupRoot();
    await this.startKubelet();
    this.plane.launch('kube-scheduler', [`--kubeconfig=${this.plane.kubeconfig}`, '--leader-elect=false', '--secure-port=0']);
    await this.plane.waitFor('kubelet', `node ${NODE_NAME} to be Ready and schedulable`, 120_000, () => this.schedulable());
  }

  /** The kubelet's cgroup parent, present in every hierarchy (v1 cpuset needs its cpus and mems filled in before anything can join). */
  private makeCgroupRoot(): void {
    for (const hierarchy of cgroupHierarchies()) {
      const path = join(hierarchy, this.cgroupRoot);
      mkdirSync(path, { recursive: true });
      for (const file of ['cpuset.cpus', 'cpuset.mems']) {
        if (existsSync(join(hierarchy, file))) writeFileSync(join(path, file), readFileSync(join(hierarchy, file)));
      }
    }
  }

  private async startKubelet(): Promise<void> {
    const credentials = await this.plane.clientCertificate('kubelet', `/O=system:nodes/CN=system:node:${NODE_NAME}`);
    this.plane.writeKubeconfig(this.path('kubelet.kubeconfig'), credentials);
    const config = kubeletConfiguration({
      address: nodeAddress(),
      port: await freePort(),
      runtimeSocket: this.runtime.socket,
      cgroupRoot: this.cgroupRoot,
      clientCaFile: this.plane.path('client-ca.crt'),
      podLogsDir: this.path('pod-logs'),
    });
    writeFileSync(this.path('kubelet.json'), JSON.stringify(config));
    this.plane.launch('kubelet', [
      `--config=${this.path('kubelet.json')}`,
      `--kubeconfig=${this.path('kubelet.kubeconfig')}`,
      `--root-dir=${this.path('kubelet')}`,
      `--hostname-override=${NODE_NAME}`,
      `--node-ip=${nodeAddress()}`,
    ]);
  }

  private async schedulable(): Promise<boolean> {
    const result = await this.plane.kubectl(['get', 'node', NODE_NAME, '-o', 'json'], { allowFailure: true });
    if (result.code !== 0) return false;
    const node = JSON.parse(result.stdout) as { spec?: { taints?: Array<{ key: string; effect: string }> }; status?: { conditions?: Array<{ type: string; status: string }> } };
    const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    const blocked = node.spec?.taints?.some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute') ?? false;
    return ready && !blocked;
  }

  /** Makes an image available to pods under `ref` (use `imagePullPolicy: Never`). */
  async importImage(image: BuiltImage, ref: string): Promise<void> {
    const archive = this.path(`image-${Date.now()}-${Math.random().toString(36).slice(2)}.tar`);
    await ociArchive(image, archive, ref);
    try {
      await this.runtime.importArchive(archive);
    } finally {
      rmSync(archive, { force: true });
    }
  }

  /** Builds a busybox test image (see oci-image.ts) and imports it under its name. */
  async loadImage(spec: ImageSpec): Promise<string> {
    await this.importImage(await buildImage(spec, this.path('images')), spec.name);
    return spec.name;
  }

  /** Lets containerd pull from another plain-HTTP registry on loopback. */
  addRegistry(host: string): void {
    this.runtime.addRegistry(host);
  }

  logs(): string {
    return `kubelet:\n${this.plane.logs('kubelet').split('\n').slice(-30).join('\n')}\ncontainerd:\n${this.containerd?.logTail(30) ?? ''}`;
  }

  /**
   * Teardown, in the order that leaves nothing behind: the pods (so the
   * kubelet tears down their sandboxes and networks), the kubelet and
   * scheduler, what containers are left and containerd, then the mounts,
   * cgroups and bridge they leave, then the folder. Whatever is still there
   * afterwards fails the teardown, by name: a test run leaves the machine as
   * it found it.
   */
  async stop(): Promise<void> {
    await this.deletePods().catch(() => undefined);
    await this.plane.terminate('kubelet');
    await this.plane.terminate('kube-scheduler');
    await this.containerd?.stop();
    await this.unmountAll();
    await this.removeCgroups();
    await run('ip', ['link', 'delete', this.bridge]).catch(() => undefined);
    const left = [...this.mountsLeft(), ...this.cgroupsLeft(), ...(existsSync(`/sys/class/net/${this.bridge}`) ? [`bridge ${this.bridge}`] : [])];
    if (left.length === 0) rmSync(this.dir, { recursive: true, force: true });
    else throw new NodeTeardownError(`the node left behind: ${left.join(', ')}`);
  }

  private async deletePods(): Promise<void> {
    // Their controllers first, or a ReplicaSet makes new pods as fast as they go.
    await this.plane.kubectl(['delete', 'deployments,replicasets,statefulsets,daemonsets,jobs', '--all', '--all-namespaces', '--wait=false'], { allowFailure: true });
    await this.plane.kubectl(['delete', 'pods', '--all', '--all-namespaces', '--grace-period=1', '--wait=false'], { allowFailure: true });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const left = await this.plane.kubectl(['get', 'pods', '--all-namespaces', '-o', 'name'], { allowFailure: true });
      if (left.code === 0 && left.stdout.trim() === '') return;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  private mountsLeft(): string[] {
    return readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
      .filter((point): point is string => point !== undefined && point.startsWith(`${this.dir}/`))
      .sort((a, b) => b.length - a.length); // deepest first
  }

  private async unmountAll(): Promise<void> {
    for (const point of this.mountsLeft()) await run('umount', [point]).catch(() => run('umount', ['--lazy', point])).catch(() => undefined);
  }

  private cgroupsLeft(): string[] {
    return cgroupHierarchies()
      .map((hierarchy) => join(hierarchy, this.cgroupRoot))
      .filter((path) => existsSync(path));
  }

  /**
   * Removes the kubelet's cgroup tree, children before parents (a cgroup is
   * removed only once empty); killed processes take a moment to leave theirs.
   */
  private async removeCgroups(): Promise<void> {
    const remove = (path: string): void => {
      if (!existsSync(path)) return;
      for (const entry of readdirSync(path)) {
        const child = join(path, entry);
        if (statSync(child).isDirectory()) remove(child);
      }
      try {
        rmdirSync(path);
      } catch {
        // still busy: tried again below
      }
    };
    const deadline = Date.now() + 10_000;
    for (;;) {
      for (const path of this.cgroupsLeft()) remove(path);
      if (this.cgroupsLeft().length === 0 || Date.now() > deadline) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export function startNode(plane: ControlPlane, options: NodeOptions = {}): Promise<TestNode> {
  return TestNode.start(plane, options);
}
