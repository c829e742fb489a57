import { container, createRequest, ephemeralRequest, harden, pod, policy, review, applyStrictly, warningsOf } from '../../helpers/pods.js';
import { restrictedViolations } from '../../helpers/api-rules.js';
import fastJsonPatch from 'fast-json-patch';
import type { Pod } from '../../../src/engine/pod.js';
import { reviewAdmission } from '../../../src/engine/review.js';

const { compare } = fastJsonPatch;

describe('which reviews are patched', () => {
  test('a bare pod is hardened to the restricted standard', () => {
    const { pod: result, decision } = harden(pod());
    expect(decision.outcome).toBe('patched');
    expect(restrictedViolations(result)).toEqual([]);
  });

  test.each([
    { name: 'a non-pod object', request: createRequest({ kind: 'ConfigMap' }, { kind: { group: '', version: 'v1', kind: 'ConfigMap' }, resource: { group: '', version: 'v1', resource: 'configmaps' } }), reason: /not a pod/ },
    { name: 'a pod of another API group', request: createRequest(pod(), { resource: { group: 'example.com', version: 'v1', resource: 'pods' } }), reason: /not a pod/ },
    { name: 'a delete', request: createRequest(null, { operation: 'DELETE', oldObject: pod() }), reason: /DELETE is never patched/ },
    { name: 'a pod update', request: createRequest(pod(), { operation: 'UPDATE', oldObject: pod() }), reason: /spec is immutable/ },
    { name: 'a status update', request: createRequest(pod(), { operation: 'UPDATE', subResource: 'status', oldObject: pod() }), reason: /pods\/status/ },
    { name: 'an excluded namespace', request: createRequest(pod(), { namespace: 'kube-system' }), reason: /namespace "kube-system" is excluded/ },
  ])('$name passes untouched', ({ request, reason }) => {
    const decision = reviewAdmission(request, { policy: policy() });
    expect(decision.outcome).toBe('skipped');
    expect(decision.patch).toEqual([]);
    expect(decision.skipReason).toMatch(reason);
  });

  test('the webhook\'s own namespace is excluded when the context names it', () => {
    const decision = reviewAdmission(createRequest(pod(), { namespace: 'pod-hardener' }), { policy: policy(), extraExcludedNamespaces: ['pod-hardener'] });
    expect(decision.outcome).toBe('skipped');
  });

  test.each([
    { name: 'no spec', object: { metadata: {} }, field: 'request.object.spec must be an object' },
    { name: 'containers not a list', object: { spec: { containers: 'app' } }, field: 'request.object.spec.containers must be a list' },
    { name: 'a container without a name', object: { spec: { containers: [{ image: 'x' }] } }, field: 'request.object.spec.containers[0].name' },
    { name: 'a string for a boolean', object: { spec: { containers: [{ name: 'a', securityContext: { privileged: 'yes' } }] } }, field: 'privileged must be true or false' },
    { name: 'annotations that are not strings', object: { metadata: { annotations: { a: 1 } }, spec: { containers: [] } }, field: 'annotations["a"] must be a string' },
  ])('an oddly shaped pod ($name) is allowed untouched with a warning that says why', ({ object, field }) => {
    const decision = review(object);
    expect(decision.outcome).toBe('skipped');
    expect(decision.patch).toEqual([]);
    expect(warningsOf(decision).join('\n')).toContain(field);
  });

  test('audit mode changes nothing and says what enforce would do', () => {
    const decision = review(pod(), { mode: 'audit' });
    expect(decision.patch).toEqual([]);
    expect(decision.wouldPatch?.length).toBeGreaterThan(0);
    expect(decision.outcome).toBe('unchanged');
    expect(warningsOf(decision).join('\n')).toMatch(/audit mode, nothing changed; enforce mode would change container "app": capabilities, allowPrivilegeEscalation, runAsNonRoot, readOnlyRootFilesystem, seccompProfile/);
  });

  test('a pod exempt from everything is reported exempt, with no patch', () => {
    const decision = review(pod({}, { annotations: { 'pod-hardener.io/exempt': 'all', 'pod-hardener.io/exempt-reason': 'vendor appliance' } }));
    expect(decision.outcome).toBe('exempt');
    expect(decision.patch).toEqual([]);
    expect(decision.exemptionReason).toBe('vendor appliance');
  });

  test('the exemptions namespace rule refuses exemptions when the namespace is unknown or unlabelled', () => {
    const input = pod({}, { annotations: { 'pod-hardener.io/exempt': 'readOnlyRootFilesystem' } });
    const rules = { exemptions: { namespaceLabel: 'pod-hardener.io/exemptions-allowed' } };
    const unknown = review(input, rules);
    expect(unknown.refusedExemptions).toHaveLength(1);
    expect(warningsOf(unknown).join('\n')).toMatch(/could not be checked/);
    const unlabelled = review(input, rules, { namespace: { labels: {}, annotations: {} } });
    expect(warningsOf(unlabelled).join('\n')).toMatch(/does not allow exemptions/);
    const labelled = review(input, rules, { namespace: { labels: { 'pod-hardener.io/exemptions-allowed': 'true' }, annotations: {} } });
    expect(labelled.refusedExemptions).toEqual([]);
  });

  test('ephemeral containers: only the new one changes, old ones stay as they are', () => {
    const old = pod({ ephemeralContainers: [container('first')] });
    const next = pod({ ephemeralContainers: [container('first'), container('second')] });
    const decision = reviewAdmission(ephemeralRequest(next, old), { policy: policy() });
    expect(decision.patch.length).toBeGreaterThan(0);
    expect(decision.patch.every((op) => op.path.startsWith('/spec/ephemeralContainers/1/'))).toBe(true);
    expect(decision.containers.map((c) => c.name)).toEqual(['second']);
  });

  test('an ephemeral-containers update without oldObject is not guessed at', () => {
    const request = { ...ephemeralRequest(pod({ ephemeralContainers: [container('x')] }), pod()), oldObject: undefined };
    const decision = reviewAdmission(request, { policy: policy() });
    expect(decision.outcome).toBe('skipped');
    expect(warningsOf(decision)[0]).toMatch(/no oldObject/);
  });
});

describe('idempotence and the hardened annotation', () => {
  test('a second pass over a hardened pod produces no patch', () => {
    const first = harden(pod({ initContainers: [container('init'), container('proxy', { restartPolicy: 'Always' })] }), {}, {});
    const second = review(first.pod);
    expect(second.patch).toEqual([]);
    expect(second.outcome).toBe('unchanged');
  });

  test('the pod records what was changed, exempted and skipped', () => {
    const input = pod(
      { containers: [container('app'), container('root', { securityContext: { runAsUser: 0 } })] },
      { annotations: { 'container.pod-hardener.io/app': 'readOnlyRootFilesystem' } },
    );
    const { pod: result } = harden(input);
    const record = JSON.parse(result.metadata?.annotations?.['pod-hardener.io/hardened'] ?? '{}');
    expect(record.changed.app).toEqual(['capabilities', 'allowPrivilegeEscalation', 'runAsNonRoot', 'seccompProfile']);
    expect(record.exempt).toEqual({ app: ['readOnlyRootFilesystem'] });
    expect(record.skipped).toEqual({ root: ['runAsNonRoot'] });
  });

  test('a reinvocation after another webhook added a container merges into the record', () => {
    const first = harden(pod());
    const withSidecar = structuredClone(first.pod);
    withSidecar.spec.containers?.push(container('mesh-proxy'));
    const second = harden(withSidecar);
    const record = JSON.parse(second.pod.metadata?.annotations?.['pod-hardener.io/hardened'] ?? '{}');
    expect(Object.keys(record.changed)).toEqual(['app', 'mesh-proxy']);
    expect(review(second.pod).patch).toEqual([]);
  });

  test('annotation keys with "/" and "~" are escaped in the patch', () => {
    const input = pod({}, { annotations: { 'a~b/c': 'x' } });
    const decision = review(input, { annotationPrefix: 'pod-hardener.io' });
    const op = decision.patch.find((o) => o.path.startsWith('/metadata/annotations'));
    expect(op?.path).toBe('/metadata/annotations/pod-hardener.io~1hardened');
    expect(applyStrictly(input, decision.patch).metadata?.annotations?.['a~b/c']).toBe('x');
  });

  test('a pod without annotations gets the annotation map added', () => {
    const input = pod();
    delete input.metadata?.annotations;
    const { pod: result } = harden(input);
    expect(Object.keys(result.metadata?.annotations ?? {})).toEqual(['pod-hardener.io/hardened']);
  });

  test.each([
    { has: 'no metadata', shape: (p: Pod) => void delete (p as { metadata?: unknown }).metadata, op: 'add', path: '/metadata', place: 'last' },
    { has: 'metadata: null', shape: (p: Pod) => void (p.metadata = null), op: 'replace', path: '/metadata', place: 'last' },
    { has: 'no annotations', shape: (p: Pod) => void delete p.metadata?.annotations, op: 'add', path: '/metadata/annotations', place: 'first' },
    { has: 'annotations: null', shape: (p: Pod) => void (p.metadata = { ...p.metadata, annotations: null }), op: 'replace', path: '/metadata/annotations', place: 'first' },
    { has: 'other annotations', shape: (p: Pod) => void (p.metadata = { ...p.metadata, annotations: { 'team.example/owner': 'a' } }), op: 'add', path: '/metadata/annotations/pod-hardener.io~1hardened', place: 'first' },
    { has: 'a stale record', shape: (p: Pod) => void (p.metadata = { ...p.metadata, annotations: { 'pod-hardener.io/hardened': '{"changed":{"old":["privileged"]}}' } }), op: 'replace', path: '/metadata/annotations/pod-hardener.io~1hardened', place: 'first' },
  ] as const)('where the pod has $has, the annotation is one $op of $path (what a diff of the whole pod gives), placed $place in the patch', ({ has, shape, op, path, place }) => {
    const input = pod();
    shape(input);
    const decision = review(input);
    const result = applyStrictly(input, decision.patch);
    const operation = place === 'first' ? decision.patch[0] : decision.patch.at(-1);
    expect(operation).toMatchObject({ op, path });
    expect(compare(input, result).filter((o) => o.path.startsWith('/metadata'))).toMatchObject([{ op, path }]);
    expect(decision.patch.filter((o) => o.path.startsWith('/metadata'))).toHaveLength(1);
    expect(JSON.parse(result.metadata?.annotations?.['pod-hardener.io/hardened'] ?? '{}').changed).toHaveProperty('app');
    if (has === 'other annotations') expect(result.metadata?.annotations?.['team.example/owner']).toBe('a');
  });

  test('a record that already says what this pass would write is not written again', () => {
    const first = harden(pod());
    const again = structuredClone(first.pod);
    again.spec.containers = pod().spec.containers ?? [];
    const decision = review(again);
    expect(decision.patch.length).toBeGreaterThan(0);
    expect(decision.patch.some((o) => o.path.startsWith('/metadata'))).toBe(false);
  });

  test('the input pod is never changed', () => {
    const input = pod({ containers: [container('app', { securityContext: { capabilities: { add: ['NET_ADMIN'] } } })] });
    const copy = structuredClone(input);
    review(input);
    expect(input).toEqual(copy);
  });
});
