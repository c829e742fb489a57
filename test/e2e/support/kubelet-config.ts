/**
 * The e2e node's KubeletConfiguration (kubelet.config.k8s.io/v1beta1), for
 * this machine kind: cgroup v1 without systemd, a test machine's disk and
 * memory, a kubelet only the API server talks to.
 */
export interface KubeletSettings {
  /** The node IP: the kubelet serves there, and the API server reaches it there (InternalIP). */
  address: string;
  port: number;
  runtimeSocket: string;
  cgroupRoot: string;
  /** The CA of the client certificates the kubelet accepts (the API server's is from it). */
  clientCaFile: string;
  podLogsDir: string;
}

export function kubeletConfiguration(settings: KubeletSettings): Record<string, unknown> {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: settings.address,
    port: settings.port,
    readOnlyPort: 0,
    healthzPort: 0,
    containerRuntimeEndpoint: `unix://${settings.runtimeSocket}`,
    // No systemd here (cgroup v1): cgroupfs, as containerd's runc. Since 1.35 the
    // kubelet refuses cgroup v1 unless told (failCgroupV1).
    cgroupDriver: 'cgroupfs',
    cgroupRoot: settings.cgroupRoot,
    failCgroupV1: false,
    failSwapOn: false,
    // Only callers with a certificate from the plane's client CA, and those may do anything: the API server.
    authentication: { anonymous: { enabled: false }, webhook: { enabled: false }, x509: { clientCAFile: settings.clientCaFile } },
    authorization: { mode: 'AlwaysAllow' },
    // A test machine's disk or memory may be fuller than a real node's thresholds allow.
    evictionHard: { 'memory.available': '50Mi', 'nodefs.available': '1%', 'nodefs.inodesFree': '1%', 'imagefs.available': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    podLogsDir: settings.podLogsDir,
    nodeStatusUpdateFrequency: '2s',
    serializeImagePulls: false,
  };
}
