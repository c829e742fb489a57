/**
 * A real Kubernetes control plane on loopback for the end-to-end tests: etcd,
 * kube-apiserver and (optionally) kube-controller-manager, from the binary
 * global-setup built. Admin access by client certificate (system:masters).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function controlPlaneBinary(): string {
  const binary = process.env.POD_HARDENER_E2E_CONTROLPLANE;
  if (!binary) throw new Error('POD_HARDENER_E2E_CONTROLPLANE is not set: run the e2e tests through jest (npm test or npm run test:e2e), whose global setup builds the control plane');
  return binary;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Loopback needs no proxy, whatever the environment says. */
function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
}


export interface ControlPlaneOptions {
  controllerManager?: boolean;
  /** More kube-apiserver flags (--name=value); one named like a default replaces it. */
  apiServerArgs?: string[];
  /** More kube-controller-manager controllers than the defaults (implies controllerManager). */
  controllers?: string[];
}

/** The controllers every plane with a controller manager runs. */
const DEFAULT_CONTROLLERS = ['serviceaccount-controller', 'serviceaccount-token-controller', 'deployment-controller', 'replicaset-controller', 'job-controller', 'namespace-controller', 'garbage-collector-controller'];

export class ControlPlane {
  private readonly processes = new Map<string, ChildProcess>();
  private apiServerArgs: string[] = [];
  readonly kubeconfig: string;
  apiServerPort = 0;

  private constructor(readonly dir: string, readonly binary: string) {
    this.kubeconfig = join(dir, 'kubeconfig');
  }

  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const plane = new ControlPlane(mkdtempSync(join(tmpdir(), 'ph-e2e-')), controlPlaneBinary());
    try {
      await plane.boot(options);
    } catch (error) {
      await plane.stop();
      throw error;
    }
    return plane;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  private async openssl(args: string[]): Promise<void> {
    await run('openssl', args, { cwd: this.dir });
  }

  private async credentials(): Promise<void> {
    // The admin's client certificate, from a CA of our own that the API server trusts.
    await this.openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'client-ca.key', '-out', 'client-ca.crt', '-days', '2', '-subj', '/CN=e2e-client-ca']);
    await this.clientCertificate('admin', '/O=system:masters/CN=e2e-admin');
    // Service account token signing keys.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(this.path('sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }));
    writeFileSync(this.path('sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  }

  /**
   * A client certificate from the CA the API server trusts: `<name>.crt` and
   * `<name>.key` in the plane's folder. The subject's CN is the user, each O a
   * group (a kubelet is `/O=system:nodes/CN=system:node:<node name>`).
   */
  async clientCertificate(name: string, subject: string): Promise<{ cert: string; key: string }> {
    await this.openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    await this.openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'client-ca.crt', '-CAkey', 'client-ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2']);
    return { cert: this.path(`${name}.crt`), key: this.path(`${name}.key`) };
  }

  /** A kubeconfig for this plane with the given client certificate. */
  writeKubeconfig(file: string, user: { cert: string; key: string }): void {
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- cluster: {server: "https://127.0.0.1:${this.apiServerPort}", certificate-authority: "${this.path('apiserver-certs/apiserver.crt')}"}`,
        '  name: e2e',
        'users:',
        `- name: user`,
        `  user: {client-certificate: "${user.cert}", client-key: "${user.key}"}`,
        'contexts:',
        '- context: {cluster: e2e, user: user}',
        '  name: e2e',
        'current-context: e2e',
        '',
      ].join('\n'),
    );
  }

  launch(name: string, args: string[]): ChildProcess {
    const log = createWriteStream(this.path(`${name}.log`), { flags: 'a' });
    const child = spawn(this.binary, [name, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.processes.set(name, child);
    return child;
  }

  private async boot(options: ControlPlaneOptions): Promise<void> {
    await this.credentials();
    const etcdClient = await freePort();
    const etcdPeer = await freePort();
    this.launch('etcd', ['--data-dir', this.path('etcd'), '--listen-client-url', `http://127.0.0.1:${etcdClient}`, '--listen-peer-url', `http://127.0.0.1:${etcdPeer}`]);
    this.apiServerPort = await freePort();
    mkdirSync(this.path('apiserver-certs'), { recursive: true });
    const defaults = [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${this.apiServerPort}`,
      `--cert-dir=${this.path('apiserver-certs')}`,
      `--client-ca-file=${this.path('client-ca.crt')}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${this.path('sa.pub')}`,
      `--service-account-signing-key-file=${this.path('sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/24',
      '--authorization-mode=RBAC',
      // What a node needs, harmless without one: reach the kubelet (exec, logs,
      // attach) at the node's InternalIP, as the admin (the kubelet trusts this CA).
      '--kubelet-preferred-address-types=InternalIP',
      `--kubelet-client-certificate=${this.path('admin.crt')}`,
      `--kubelet-client-key=${this.path('admin.key')}`,
    ];
    // List flags (--authorization-mode…) add up when repeated, so an override replaces the default instead.
    const extra = options.apiServerArgs ?? [];
    const name = (flag: string): string => flag.split('=')[0] as string;
    this.apiServerArgs = [...defaults.filter((flag) => !extra.some((e) => name(e) === name(flag))), ...extra];
    await this.startApiServer();
    this.writeKubeconfig(this.kubeconfig, { cert: this.path('admin.crt'), key: this.path('admin.key') });
    if (options.controllerManager || options.controllers) {
      this.launch('kube-controller-manager', [
        `--kubeconfig=${this.kubeconfig}`,
        `--service-account-private-key-file=${this.path('sa.key')}`,
        `--root-ca-file=${this.path('apiserver-certs/apiserver.crt')}`,
        '--leader-elect=false',
        '--secure-port=0',
        '--use-service-account-credentials=false',
        `--controllers=${[...DEFAULT_CONTROLLERS, ...(options.controllers ?? [])].join(',')}`,
      ]);
      await this.waitFor('kube-controller-manager', 'the service account controller', 60_000, async () => (await this.kubectl(['get', 'serviceaccount', 'default', '-n', 'default'], { allowFailure: true })).code === 0);
    }
  }

  /** Polls `check` while the component runs; a component that exits, or a timeout, fails with its log's tail. */
  async waitFor(component: string, what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await check().catch(() => false)) return;
      const child = this.processes.get(component);
      const exited = !child || child.exitCode !== null;
      if (exited || Date.now() > deadline) {
        const tail = this.logs(component).split('\n').slice(-15).join('\n');
        throw new Error(`${exited ? `${component} exited` : 'timed out'} while waiting for ${what}; ${component}.log ends:\n${tail}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** The API server's /readyz, as the admin. */
  private ready(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.apiServerPort,
          path: '/readyz',
          cert: readFileSync(this.path('admin.crt')),
          key: readFileSync(this.path('admin.key')),
          rejectUnauthorized: false,
          timeout: 2000,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        },
      );
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
  }

  async startApiServer(): Promise<void> {
    this.launch('kube-apiserver', this.apiServerArgs);
    await this.waitFor('kube-apiserver', 'kube-apiserver to be ready', 90_000, () => this.ready());
  }

  async stopApiServer(): Promise<void> {
    await this.terminate('kube-apiserver');
  }

  async terminate(name: string): Promise<void> {
    const child = this.processes.get(name);
    this.processes.delete(name);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  /** Runs kubectl against this control plane (asynchronously: an in-process webhook must keep answering meanwhile). */
  kubectl(args: string[], options: { input?: string; allowFailure?: boolean } = {}): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, ['kubectl', `--kubeconfig=${this.kubeconfig}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: childEnv() });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        const result = { code: code ?? -1, stdout, stderr };
        if (code !== 0 && !options.allowFailure) reject(new Error(`kubectl ${args.join(' ')} failed (${code}): ${stderr}`));
        else resolve(result);
      });
      child.stdin.end(options.input ?? '');
    });
  }

  /** A shell command line that runs kubectl against this control plane, for scripts (KUBECTL=...). */
  kubectlCommand(): string {
    return `${this.binary} kubectl --kubeconfig=${this.kubeconfig}`;
  }

  logs(name: string): string {
    try {
      return readFileSync(this.path(`${name}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  async stop(): Promise<void> {
    for (const name of ['kubelet', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd']) await this.terminate(name);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
