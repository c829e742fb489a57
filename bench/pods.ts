/** The pods the benchmark reviews: small, typical, large, and about 1.5 MiB. */
import { podCreateRequest, type AdmissionRequest } from '../src/engine/admission-request.js';
import type { Container, Pod } from '../src/engine/pod.js';

function container(name: string, envCount: number, extra: Partial<Container> = {}): Container {
  return {
    name,
    image: `registry.example.com/team/${name}:1.4.2`,
    ports: [{ containerPort: 8080, name: 'http' }],
    env: Array.from({ length: envCount }, (_, i) => ({ name: `SETTING_${i}`, value: `value-${i}-${'x'.repeat(16)}` })),
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    volumeMounts: [{ name: 'config', mountPath: `/etc/${name}` }],
    readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
    ...extra,
  };
}

function pod(name: string, spec: Partial<Pod['spec']>, annotations: Record<string, string> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${name}-`,
      namespace: 'team-a',
      labels: { app: name, 'pod-template-hash': '7d9c6b5f4' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-20T10:00:00Z', ...annotations },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-7d9c6b5f4`, uid: 'b1f4', controller: true }],
    },
    spec: {
      volumes: [
        { name: 'config', configMap: { name: `${name}-config` } },
        { name: 'kube-api-access-x1', projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }] } },
      ],
      containers: [],
      ...spec,
    },
  };
}

export const PODS = {
  small: pod('small', { containers: [container('app', 0)] }),
  typical: pod('typical', {
    initContainers: [container('migrate', 4)],
    containers: [container('app', 12), container('proxy', 6, { securityContext: { capabilities: { add: ['NET_ADMIN'] } } }), container('log-shipper', 4)],
  }),
  large: pod('large', { containers: Array.from({ length: 50 }, (_, i) => container(`worker-${i}`, 10)) }),
  // About 1.5 MiB: a few containers carrying a lot of env and args, as generated configs do.
  huge: pod('huge', { containers: Array.from({ length: 4 }, (_, i) => container(`big-${i}`, 5200, { args: Array.from({ length: 800 }, (_, j) => `--flag-${j}=${'v'.repeat(80)}`) })) }),
} satisfies Record<string, Pod>;

export function request(object: Pod, uid = 'b3b6c5c6-8d1b-4c4e-9d2a-0c7f1e2a3b4c'): AdmissionRequest {
  return podCreateRequest(object, {
    uid,
    namespace: 'team-a',
    userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts'] },
    oldObject: null,
    dryRun: false,
  });
}

export function reviewBody(object: Pod): string {
  return JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: request(object) });
}
