import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { hardenManifests, ManifestError, type ManifestInput } from '../../../src/manifests/harden-manifests.js';
import { getPath, POD_TEMPLATE_PATHS } from '../../../src/manifests/workloads.js';
import type { Pod } from '../../../src/engine/pod.js';
import { apiValidationErrors, restrictedViolations } from '../../helpers/api-rules.js';
import { policy } from '../../helpers/pods.js';

function fixture(name: string): ManifestInput {
  return { name, text: readFileSync(new URL(`../../fixtures/manifests/${name}`, import.meta.url), 'utf8') };
}

function documents(text: string): Array<Record<string, unknown>> {
  return parseAllDocuments(text, { version: '1.1' }).map((doc) => doc.toJS() as Record<string, unknown>);
}

/** Every pod (template) in a parsed manifest list, as the pod its controller would create. */
function pods(objects: Array<Record<string, unknown> | null>): Array<{ kind: string; pod: Pod }> {
  return objects.flatMap((object) => {
    if (!object) return [];
    if (object.kind === 'List') return pods(object.items as Array<Record<string, unknown>>);
    const path = POD_TEMPLATE_PATHS[String(object.kind)];
    return path ? [{ kind: String(object.kind), pod: getPath(object, path) as Pod }] : [];
  });
}

const ALL = ['pod.yaml', 'deployment.yaml', 'statefulset-exempt-privileged.yaml', 'cronjob-init.yaml', 'windows-deployment.yaml', 'more/workloads.yaml', 'more/list.json'];

describe('hardening manifests', () => {
  test.each(ALL)('%s: the output parses, keeps every document in order, and its pods pass API validation', (name) => {
    const input = fixture(name);
    const result = hardenManifests([input], policy());
    const before = documents(input.text);
    const after = documents(result.files[0]?.hardened ?? '');
    expect(after.map((d) => d?.kind ?? null)).toEqual(before.map((d) => d?.kind ?? null));
    for (const { pod } of pods(after)) expect(apiValidationErrors(pod)).toEqual([]);
  });

  test.each(['pod.yaml', 'deployment.yaml', 'cronjob-init.yaml', 'more/workloads.yaml', 'more/list.json'])('%s: where nothing is exempted, every pod meets the restricted standard', (name) => {
    const result = hardenManifests([fixture(name)], policy());
    const found = pods(documents(result.files[0]?.hardened ?? ''));
    expect(found.length).toBeGreaterThan(0);
    for (const { kind, pod } of found) expect({ kind, violations: restrictedViolations(pod) }).toEqual({ kind, violations: [] });
  });

  test('every supported kind is found: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, and List items', () => {
    const result = hardenManifests(ALL.map(fixture), policy());
    expect(new Set(result.workloads.map((w) => w.kind))).toEqual(new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob']));
    expect(result.workloads.find((w) => w.kind === 'CronJob')?.templatePath).toBe('/spec/jobTemplate/spec/template');
    expect(result.workloads.find((w) => w.name === 'listed')).toMatchObject({ file: 'more/list.json', document: 1, item: 2 });
  });

  test('documents that are not workloads come back byte for byte', () => {
    const input = fixture('deployment.yaml');
    const hardened = hardenManifests([input], policy()).files[0]?.hardened ?? '';
    const service = input.text.slice(input.text.indexOf('---'));
    expect(hardened.endsWith(service)).toBe(true);
  });

  test('comments, key order and the formatting of what was not changed are kept', () => {
    const hardened = hardenManifests([fixture('deployment.yaml')], policy()).files[0]?.hardened ?? '';
    for (const line of ['# Web tier: the comments and layout of this file must survive hardening.', '  replicas: 3 # three zones', '          image: nginx:1.27   # pinned', '        # nginx writes its cache here', '  labels: {app: web, tier: frontend}']) {
      expect(hardened).toContain(line);
    }
    const deployment = documents(hardened)[0] as Record<string, unknown>;
    expect(Object.keys(deployment)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
  });

  test('template annotations are honoured as on a pod: writable-paths, container exemptions', () => {
    const web = pods(documents(hardenManifests([fixture('deployment.yaml')], policy()).files[0]?.hardened ?? ''))[0]?.pod;
    expect(web?.spec.containers?.[0]?.volumeMounts?.map((m) => m.mountPath)).toEqual(['/etc/nginx/conf.d', '/tmp', '/var/cache/nginx', '/run']);
    expect(web?.spec.containers?.[1]?.securityContext?.capabilities).toEqual({ drop: ['ALL'] });

    const storage = pods(documents(hardenManifests([fixture('statefulset-exempt-privileged.yaml')], policy()).files[0]?.hardened ?? ''))[0]?.pod;
    const agent = storage?.spec.containers?.[0]?.securityContext;
    expect(agent?.privileged).toBe(true);
    expect(agent?.capabilities).toEqual({ add: ['SYS_ADMIN'] });
    expect(agent?.allowPrivilegeEscalation).toBeUndefined();
    expect(storage?.spec.containers?.[1]?.securityContext?.allowPrivilegeEscalation).toBe(false);
  });

  test('warnings name the file, the document, the workload and the container', () => {
    const result = hardenManifests([fixture('statefulset-exempt-privileged.yaml')], policy());
    expect(result.warnings).toEqual([
      'statefulset-exempt-privileged.yaml document 1 (StatefulSet storage-agent): container "agent": allowPrivilegeEscalation not applied: the container stays privileged, and the API server rejects allowPrivilegeEscalation: false with privileged: true',
    ]);
  });

  test('a Windows template gets only runAsNonRoot', () => {
    const iis = pods(documents(hardenManifests([fixture('windows-deployment.yaml')], policy()).files[0]?.hardened ?? ''))[0]?.pod;
    expect(iis?.spec.securityContext).toBeUndefined();
    expect(iis?.spec.containers?.[0]?.securityContext).toEqual({ runAsNonRoot: true });
    expect(iis?.spec.volumes).toBeUndefined();
  });

  test('hardened output hardens to itself, and unchanged input is reported unchanged', () => {
    const first = hardenManifests(ALL.map(fixture), policy());
    const second = hardenManifests(first.files.map((f) => ({ name: f.name, text: f.hardened })), policy());
    expect(second.changed).toBe(false);
    expect(second.files.map((f) => f.hardened)).toEqual(first.files.map((f) => f.hardened));
  });

  test('audit mode changes nothing; fill mode keeps explicit values', () => {
    const audit = hardenManifests([fixture('deployment.yaml')], policy({ mode: 'audit' }));
    expect(audit.changed).toBe(false);
    expect(audit.files[0]?.hardened).toBe(audit.files[0]?.original);
    const fill = pods(documents(hardenManifests([fixture('deployment.yaml')], policy({ mode: 'fill' })).files[0]?.hardened ?? ''))[0]?.pod;
    expect(fill?.spec.containers?.[1]?.securityContext?.capabilities?.add).toEqual(['NET_ADMIN']);
  });

  test.each([
    { name: 'invalid YAML', text: 'kind: Pod\nspec: [\n', message: /^bad.yaml document 1: invalid YAML: / },
    { name: 'a scalar document', text: 'apiVersion: v1\nkind: ConfigMap\n---\njust a string\n', message: /^bad.yaml document 2: not an object/ },
    { name: 'a list document', text: '- a\n- b\n', message: /^bad.yaml document 1: not an object/ },
    { name: 'a template that is not a pod', text: 'kind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: {name: x}}}}\n', message: /^bad.yaml document 1 \(Deployment d\): malformed pod: spec.template.spec.containers must be a list/ },
    { name: 'a Pod without a spec', text: 'kind: Pod\nmetadata: {name: p}\n', message: /^bad.yaml document 1 \(Pod p\): malformed pod: spec must be an object/ },
    { name: 'a Deployment without a template', text: 'kind: Deployment\nmetadata: {name: d}\nspec: {}\n', message: /^bad.yaml document 1 \(Deployment d\): spec.template must be an object/ },
  ])('$name is an error naming the file and document', ({ text, message }) => {
    expect(() => hardenManifests([{ name: 'bad.yaml', text }], policy())).toThrow(ManifestError);
    expect(() => hardenManifests([{ name: 'bad.yaml', text }], policy())).toThrow(message);
  });

  test.each(['# header\n---\n---\n# nothing here\n', '# only a comment\n', ''])('empty documents and comments-only input pass through: %j', (text) => {
    expect(hardenManifests([{ name: 'empty.yaml', text }], policy()).files[0]?.hardened).toBe(text);
  });
});

describe('YAML anchors, aliases and merge keys in a pod template', () => {
  const harden = (text: string): string => hardenManifests([{ name: 'shared.yaml', text }], policy()).files[0]?.hardened ?? '';
  const deployment = (containers: string, head = ''): string =>
    `${head}apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n${containers}`;

  test('anchors and aliases the patch does not go through are kept, and the rest is hardened', () => {
    const text = deployment('        - name: a\n          image: x\n          resources: &res {limits: {cpu: 100m}}\n        - name: b\n          image: y\n          resources: *res\n');
    const hardened = harden(text);
    expect(hardened).toContain('          resources: &res {limits: {cpu: 100m}}\n');
    expect(hardened).toContain('          resources: *res\n');
    const containers = (documents(hardened)[0] as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } }).spec.template.spec.containers;
    expect(containers.map((c) => [c.resources, (c.securityContext as Record<string, unknown>).allowPrivilegeEscalation])).toEqual([
      [{ limits: { cpu: '100m' } }, false],
      [{ limits: { cpu: '100m' } }, false],
    ]);
  });

  test('a key added beside a merge key (<<) is hardened when the merged value does not have it', () => {
    const text = `x-defaults: &defaults\n  image: x\n  imagePullPolicy: Always\n---\n${deployment('        - <<: {imagePullPolicy: Always}\n          name: a\n          image: x\n')}`;
    const pod = documents(harden(text))[1] as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
    expect(pod.spec.template.spec.containers[0]).toMatchObject({ name: 'a', imagePullPolicy: 'Always', securityContext: { allowPrivilegeEscalation: false } });
  });

  test.each([
    { name: 'a container that is an alias', containers: '        - &app {name: a, image: x}\n        - *app\n', message: /goes through the YAML alias \*app|changes the YAML anchor &app/ },
    { name: 'a security context shared through an anchor', containers: '        - name: a\n          image: x\n          securityContext: &sc {runAsUser: 1000}\n        - name: b\n          image: y\n          securityContext: *sc\n', message: /YAML (anchor &sc|alias \*sc)/ },
    { name: 'a security context brought in by a merge key', containers: '        - <<: {securityContext: {runAsUser: 1000}}\n          name: a\n          image: x\n', message: /merge key \(<<\)/ },
  ])('refused, naming the file, the document and the workload: $name', ({ containers, message }) => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n${deployment(containers)}`;
    expect(() => harden(text)).toThrow(ManifestError);
    expect(() => harden(text)).toThrow(/^shared\.yaml document 2 \(Deployment web\): cannot write the hardening into the text: the change at spec\.template\.spec\.containers/);
    expect(() => harden(text)).toThrow(message);
  });
});

describe('limits', () => {
  test('a "billion laughs" document fails at once, naming the document', () => {
    const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (const [index, name] of [...'bcdefghi'].entries()) levels.push(`${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[index]}`).join(', ')}]`);
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\nkind: ConfigMap\ndata:\n${levels.map((l) => `  ${l}`).join('\n')}\n`;
    expect(() => hardenManifests([{ name: 'lol.yaml', text }], policy())).toThrow(/^lol\.yaml document 2: cannot read: Excessive alias count .* \(at most 1000 aliased nodes\)/);
  });

  test('a document larger than the API server takes is refused before it is parsed', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: small}\n---\nkind: ConfigMap\ndata:\n  big: ${'x'.repeat(3 * 1024 * 1024)}\n`;
    expect(() => hardenManifests([{ name: 'big.yaml', text }], policy())).toThrow(/^big\.yaml near document 2: 3\.0 MiB is more than the 3\.0 MiB the API server takes in one object/);
  });

  test('a repeated key is an error naming the document', () => {
    expect(() => hardenManifests([{ name: 'dup.yaml', text: 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers: []\n  containers: []\n' }], policy())).toThrow(
      /^dup\.yaml document 1: invalid YAML: the key "containers" appears twice in one map/,
    );
  });
});
