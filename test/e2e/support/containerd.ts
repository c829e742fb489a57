/**
 * containerd (Debian's 1.6, with runc) for the e2e node, everything under one
 * folder: root, state, socket, runc's state, the CNI config and the registry
 * hosts. Images come in by `ctr images import`, or from a registry listed in
 * `<dir>/certs.d/<host>/hosts.toml` (containerd's `config_path`).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The CNI plugins of Debian's containernetworking-plugins. */
const CNI_BIN_DIR = '/usr/lib/cni';

export interface ContainerdOptions {
  /** The pod sandbox ("pause") image, already imported or pullable. */
  sandboxImage: string;
  /** Pod addresses, e.g. 10.244.7.0/24, on a bridge of the given name. */
  podSubnet: string;
  bridge: string;
  /** Plain-HTTP registries on loopback, host:port, that containerd may pull from. */
  registries?: string[];
}

function config(dir: string, options: ContainerdOptions): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = "${dir}/root"
state = "${dir}/state"
# Snapshotters this test node never uses only make noise.
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "${dir}/containerd.sock"

[plugins."io.containerd.internal.v1.opt"]
  path = "${dir}/opt"

[${cri}]
  sandbox_image = "${options.sandboxImage}"
  # Root here lacks CAP_SYS_RESOURCE: nothing may lower its oom_score_adj, and
  # the kubelet asks -998 for every sandbox; unclamped, runc fails with
  # "can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  # Network namespaces under our folder, not /var/run/netns.
  netns_mounts_under_state_dir = true
  # Ports below 1024 stay privileged: NET_BIND_SERVICE has to be what opens them.
  enable_unprivileged_ports = false

[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[${cri}.containerd.runtimes.runc.options]
  # No systemd on this machine: cgroupfs, as the kubelet's cgroupDriver.
  SystemdCgroup = false
  Root = "${dir}/runc"

[${cri}.cni]
  bin_dir = "${CNI_BIN_DIR}"
  conf_dir = "${dir}/cni"

[${cri}.registry]
  config_path = "${dir}/certs.d"
`;
}

/** A bridge with host-local addresses: enough for pods on one node (no masquerade: pods talk to the node only). */
function cniConfig(dir: string, options: ContainerdOptions): string {
  return JSON.stringify({
    cniVersion: '1.0.0',
    name: 'pod-hardener-e2e',
    plugins: [
      { type: 'bridge', bridge: options.bridge, isGateway: true, ipMasq: false, hairpinMode: true, ipam: { type: 'host-local', ranges: [[{ subnet: options.podSubnet }]], dataDir: join(dir, 'cni-ipam') } },
      { type: 'loopback' },
    ],
  });
}

/** containerd's hosts.toml for a plain-HTTP registry (https://github.com/containerd/containerd/blob/v1.6.20/docs/hosts.md). */
function hostsToml(host: string): string {
  return `server = "http://${host}"\n\n[host."http://${host}"]\n  capabilities = ["pull", "resolve"]\n  skip_verify = true\n`;
}

export class Containerd {
  private child: ChildProcess | undefined;

  private constructor(readonly dir: string) {}

  get socket(): string {
    return join(this.dir, 'containerd.sock');
  }

  static async start(dir: string, options: ContainerdOptions): Promise<Containerd> {
    const containerd = new Containerd(dir);
    for (const sub of ['cni', 'certs.d']) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, 'config.toml'), config(dir, options));
    writeFileSync(join(dir, 'cni/10-pod-hardener-e2e.conflist'), cniConfig(dir, options));
    for (const host of options.registries ?? []) containerd.addRegistry(host);
    const log = createWriteStream(join(dir, 'containerd.log'), { flags: 'a' });
    const child = spawn('containerd', ['--config', join(dir, 'config.toml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    containerd.child = child;
    const deadline = Date.now() + 30_000;
    while (!(await containerd.ctr(['version']).then(() => true, () => false))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`containerd did not start; containerd.log ends:\n${containerd.logTail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return containerd;
  }

  /** Lets containerd pull from a plain-HTTP registry (host:port), as a later image-aware scenario needs. */
  addRegistry(host: string): void {
    mkdirSync(join(this.dir, 'certs.d', host), { recursive: true });
    writeFileSync(join(this.dir, 'certs.d', host, 'hosts.toml'), hostsToml(host));
  }

  ctr(args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run('ctr', ['--address', this.socket, '--namespace', 'k8s.io', ...args], { maxBuffer: 16 * 1024 * 1024 });
  }

  /** Loads an OCI archive (see oci-image.ts) into the namespace the CRI uses. */
  async importArchive(file: string): Promise<void> {
    await this.ctr(['images', 'import', file]);
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(join(this.dir, 'containerd.log'), 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /**
   * Kills what containers are left, then containerd. Shims outlive containerd,
   * so they are found by the `-address <our socket>` containerd gave them —
   * never by name, which would hit another node on the same machine.
   */
  async stop(): Promise<void> {
    const tasks = await this.ctr(['tasks', 'list', '--quiet']).then((r) => r.stdout.split('\n').filter(Boolean), () => []);
    for (const id of tasks) await this.ctr(['tasks', 'kill', '--all', '--signal', 'SIGKILL', id]).catch(() => undefined);
    for (const pid of this.shimPids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  }

  private shimPids(): number[] {
    const pids: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        const at = args.indexOf('-address');
        if (at >= 0 && args[at + 1] === this.socket && args[0]?.includes('containerd-shim')) pids.push(Number(entry));
      } catch {
        // the process ended meanwhile
      }
    }
    return pids;
  }
}
