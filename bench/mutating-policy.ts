/**
 * What a platform team would run instead of pod-hardener: Kubernetes' own
 * in-process MutatingAdmissionPolicy (admissionregistration.k8s.io/v1), doing
 * pod-hardener's enforce-mode hardening in CEL as an ApplyConfiguration.
 *
 * Same as pod-hardener, per container and init container: capabilities.drop
 * [ALL] and add kept to NET_BIND_SERVICE, allowPrivilegeEscalation false,
 * privileged false, runAsNonRoot true, readOnlyRootFilesystem true, seccomp
 * RuntimeDefault unless Localhost, and an emptyDir at /tmp (volume
 * `ph-<container>-tmp`) where the container mounts nothing there; Windows and
 * mirror pods left alone; reinvoked when another mutator changes the pod.
 *
 * What CEL cannot do, so this policy does less than pod-hardener:
 * - read what an image says about itself (its USER, from the registry): it
 *   sets runAsNonRoot: true blind, and the kubelet refuses to start an image
 *   that runs as root;
 * - write a decision record or a hardened annotation with the reasons, or
 *   answer warnings (a mutating policy has neither audit annotations nor
 *   warnings);
 * - the exemption governance (reasons required, controls allowed, namespace
 *   labels read from a watched cache) would be expressible only in part, as a
 *   paramKind or matchConditions per control; it is left out here, which makes
 *   the policy cheaper than the real thing, not dearer;
 * - the API's refusals pod-hardener steps around (allowPrivilegeEscalation:
 *   false with privileged or CAP_SYS_ADMIN, volume names over 63 characters)
 *   would each need their own condition.
 * ApplyConfiguration (server-side apply's merge: containers by name, mounts by
 * mountPath, volumes by name; capabilities lists atomic) is used rather than
 * JSONPatch, which crashes on object lists (kubernetes/kubernetes#142181)
 * unless an empty list is added first.
 */

const ALLOWED_CAPABILITIES = ['NET_BIND_SERVICE'];

/** The hardened security context and /tmp mount of one container list's items (`list`: containers or initContainers). */
function hardenedContainers(list: 'containers' | 'initContainers'): string {
  const item = `Object.spec.${list}`; // a list item's type is named after its list
  const sc = `${item}.securityContext`;
  return `object.spec.${list}.map(c, ${item}{
    name: c.name,
    securityContext: ${sc}{
      allowPrivilegeEscalation: false,
      privileged: false,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      ?seccompProfile: c.?securityContext.?seccompProfile.?type.orValue('') == 'Localhost'
        ? optional.none()
        : optional.of(${sc}.seccompProfile{type: 'RuntimeDefault'}),
    },
    volumeMounts: c.?volumeMounts.orValue([]).exists(m, m.mountPath == '/tmp')
      ? []
      : [${item}.volumeMounts{name: 'ph-' + c.name + '-tmp', mountPath: '/tmp'}]
  })`;
}

/**
 * capabilities: {drop: [ALL], add: the allowed ones kept}, as JSON Patch: an
 * ApplyConfiguration may not set atomic lists ("may not mutate atomic arrays"),
 * and both capability lists are atomic. Runs after the ApplyConfiguration that
 * made every container's securityContext.
 */
function capabilitiesPatch(list: 'containers' | 'initContainers'): string {
  const allowed = JSON.stringify(ALLOWED_CAPABILITIES);
  return `object.spec.${list}.map(c, JSONPatch{
    op: 'add',
    path: '/spec/${list}/' + string(object.spec.${list}.indexOf(c)) + '/securityContext/capabilities',
    value: c.?securityContext.?capabilities.?add.orValue([]).exists(a, a in ${allowed})
      ? {'drop': dyn(['ALL']), 'add': dyn(c.securityContext.capabilities.add.filter(a, a in ${allowed}))}
      : {'drop': ['ALL']}
  })`;
}

/** The /tmp emptyDir volumes of the containers that get a /tmp mount. */
function tmpVolumes(list: 'containers' | 'initContainers'): string {
  return `object.spec.${list}
    .filter(c, !c.?volumeMounts.orValue([]).exists(m, m.mountPath == '/tmp'))
    .map(c, Object.spec.volumes{name: 'ph-' + c.name + '-tmp', emptyDir: Object.spec.volumes.emptyDir{}})`;
}

function applyConfiguration(expression: string): Record<string, unknown> {
  return { patchType: 'ApplyConfiguration', applyConfiguration: { expression } };
}

function jsonPatch(expression: string): Record<string, unknown> {
  return { patchType: 'JSONPatch', jsonPatch: { expression } };
}

export const POLICY_NAME = 'bench-hardening';

export function mutatingAdmissionPolicy(): Record<string, unknown> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingAdmissionPolicy',
    metadata: { name: POLICY_NAME },
    spec: {
      matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] },
      matchConditions: [
        { name: 'not-a-mirror-pod', expression: "!has(object.metadata.annotations) || !('kubernetes.io/config.mirror' in object.metadata.annotations)" },
        { name: 'not-windows', expression: "object.spec.?os.?name.orValue('') != 'windows'" },
      ],
      failurePolicy: 'Fail',
      reinvocationPolicy: 'IfNeeded',
      // Two mutations, as few as the API allows: each one costs the API server a conversion of the whole pod.
      mutations: [
        // One apply: the volumes are computed from the pod as it came (no container mounts /tmp yet), an absent initContainers stays absent.
        applyConfiguration(`Object{spec: Object.spec{
          volumes: ${tmpVolumes('containers')} + (has(object.spec.initContainers) ? ${tmpVolumes('initContainers')} : []),
          containers: ${hardenedContainers('containers')},
          ?initContainers: has(object.spec.initContainers) ? optional.of(${hardenedContainers('initContainers')}) : optional.none()
        }}`),
        jsonPatch(`${capabilitiesPatch('containers')} + (has(object.spec.initContainers) ? ${capabilitiesPatch('initContainers')} : [])`),
      ],
    },
  };
}

/** Binds the policy to one namespace, as the webhook is registered for one other. */
export function mutatingAdmissionPolicyBinding(namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingAdmissionPolicyBinding',
    metadata: { name: POLICY_NAME },
    spec: { policyName: POLICY_NAME, matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } } },
  };
}
