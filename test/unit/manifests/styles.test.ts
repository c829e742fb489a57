/**
 * Manifests as real tools write them — kubectl, Helm, kustomize, by hand, JSON
 * — hardened: only the lines that carry the change differ, inserted lines
 * follow the style around them, and the result is what the engine's patch says.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { hardenManifests, type ManifestInput } from '../../../src/manifests/harden-manifests.js';
import { getPath, POD_TEMPLATE_PATHS } from '../../../src/manifests/workloads.js';
import type { Pod } from '../../../src/engine/pod.js';
import { apiValidationErrors } from '../../helpers/api-rules.js';
import { policy } from '../../helpers/pods.js';
import { documentsOf, expectedDocuments, fileOperations } from './hardened-text.js';
import { lines, unexplainedLineChanges } from './line-changes.js';

const DIRECTORY = new URL('../../fixtures/manifests/styles/', import.meta.url);
const STYLES = readdirSync(DIRECTORY).sort();
const EARLIER = ['../deployment.yaml', '../cronjob-init.yaml', '../pod.yaml', '../statefulset-exempt-privileged.yaml', '../more/workloads.yaml', '../more/list.json'];

function fixture(name: string): ManifestInput {
  return { name, text: readFileSync(new URL(name, DIRECTORY), 'utf8') };
}

/** A StatefulSet's pods also have a volume per claim template (the controller adds them). */
function withClaimVolumes(object: Record<string, unknown> | null, pod: Pod): Pod {
  const claims = (getPath(object, ['spec', 'volumeClaimTemplates']) ?? []) as Array<{ metadata: { name: string } }>;
  if (claims.length === 0) return pod;
  const volumes = [...(pod.spec.volumes ?? []), ...claims.map((c) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: c.metadata.name } }))];
  return { ...pod, spec: { ...pod.spec, volumes } };
}

function harden(input: ManifestInput): { text: string; result: ReturnType<typeof hardenManifests> } {
  const result = hardenManifests([input], policy());
  return { text: result.files[0]?.hardened ?? '', result };
}

/** Lines of `after` that `before` does not have, in order. */
function addedLines(before: string, after: string): string[] {
  const old = new Set(lines(before));
  return lines(after).filter((line) => !old.has(line));
}

describe.each([...STYLES, ...EARLIER])('%s', (name) => {
  const input = fixture(name);
  const { text, result } = harden(input);

  test('something changes, and only the lines that carry the change differ from the input', () => {
    expect(text).not.toBe(input.text);
    expect(unexplainedLineChanges(input.text, text, fileOperations(result, name))).toEqual([]);
  });

  test("the output parses to exactly what the engine's patch makes of the input, and its pods pass API validation", () => {
    expect(documentsOf(text)).toEqual(expectedDocuments(input.text, name, result));
    for (const object of documentsOf(text) as Array<Record<string, unknown> | null>) {
      const path = object ? POD_TEMPLATE_PATHS[String(object.kind)] : undefined;
      if (path) expect(apiValidationErrors(withClaimVolumes(object, getPath(object, path) as Pod))).toEqual([]);
    }
  });

  test('hardening the output again changes nothing', () => {
    const again = harden({ name, text });
    expect(again.result.changed).toBe(false);
    expect(again.text).toBe(text);
  });

  test('with CRLF line endings, the output is the same with CRLF line endings', () => {
    expect(harden({ name, text: input.text.replace(/\n/g, '\r\n') }).text).toBe(text.replace(/\n/g, '\r\n'));
  });

  test('without the newline at the end, the output ends without it too', () => {
    const bare = input.text.replace(/\n$/, '');
    const expected = input.text.endsWith('\n') ? text.replace(/\n$/, '') : text;
    expect(harden({ name, text: bare }).text).toBe(expected);
  });
});

describe('the style of inserted lines is the style around them', () => {
  test('kubectl: compact sequences, two spaces, creationTimestamp: null and status: {} untouched, keys in sorted place', () => {
    const { text } = harden(fixture('kubectl.yaml'));
    expect(addedLines(fixture('kubectl.yaml').text, text)).toEqual(expect.arrayContaining(['            drop:\n', '            - ALL\n', '        - mountPath: /tmp\n', '          name: ph-api-tmp\n']));
    expect(text).toMatch(/ {4}metadata:\n {6}annotations:\n {8}pod-hardener\.io\/hardened: .*\n {6}creationTimestamp: null\n/);
    expect(text.endsWith('status: {}\n')).toBe(true);
  });

  test('Helm: indented sequences, # Source: comments and --- separators kept', () => {
    const input = fixture('helm.yaml');
    const { text } = harden(input);
    expect(text.match(/^# Source: .*$/gm)).toEqual(input.text.match(/^# Source: .*$/gm));
    expect(text.match(/^---$/gm)).toHaveLength(3);
    expect(addedLines(input.text, text)).toEqual(expect.arrayContaining(['              drop:\n', '                - ALL\n', '            - name: ph-frontend-tmp\n']));
  });

  test('kustomize: keys sorted, also inside what is inserted', () => {
    const { text } = harden(fixture('kustomize.yaml'));
    expect(text).toContain('        securityContext:\n          allowPrivilegeEscalation: false\n          capabilities:\n            drop:\n            - ALL\n          readOnlyRootFilesystem: true\n');
    expect(text).toContain('      - emptyDir: {}\n        name: ph-redis-tmp\n');
    expect(text).toMatch(/ {4}metadata:\n {6}annotations:\n.*\n {6}labels:/);
  });

  test('hand-written: four spaces, flow sequences, literal and folded scalars, comments, blank lines and the ... marker come back as they were', () => {
    const input = fixture('hand-written.yaml');
    const { text } = harden(input);
    for (const kept of ["              args: [ \"--path.rootfs=/host\", '--collector.filesystem' ]\n", '              - |\n                echo "starting on $NODE_NAME"\n', '                value: >\n                    folded text that\n', '                  runAsUser: 65534    # nobody\n', '            tolerations: [ { operator: "Exists" } ]\n']) {
      expect(text).toContain(kept);
    }
    expect(text).toContain('                  runAsUser: 65534    # nobody\n                  capabilities:\n                      drop:\n                      - ALL\n');
    expect(text).toContain('              - { name: rootfs, mountPath: /host, readOnly: true }\n              - name: ph-agent-tmp\n                mountPath: /tmp\n');
    expect(text.endsWith('...\n')).toBe(true);
  });

  test('JSON stays JSON, four spaces a level where the file uses four', () => {
    const input = fixture('pod.json');
    const { text } = harden(input);
    expect(() => JSON.parse(text) as unknown).not.toThrow();
    expect(addedLines(input.text, text).every((line) => ((/^ */.exec(line)?.[0].length ?? 0) % 4) === 0)).toBe(true);
  });

  test('an entry written {} becomes a block map when keys go into it', () => {
    const { text } = harden(fixture('job-and-pod.yaml'));
    expect(text).toContain('              securityContext:\n                capabilities:\n');
    expect(text).not.toContain('securityContext: {}');
  });
});
