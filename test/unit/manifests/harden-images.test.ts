/**
 * `harden --resolve-images` inside the pure layer: the lookups come in as
 * data, per platform, and each pod template gets exactly the lookups the
 * webhook would hand the engine for its pod (imagesToLookUp of its spec, its
 * platform), no more; podTemplateSpecs finds the templates hardenManifests hardens.
 */
import type { ImageLookup } from '../../../src/engine/image-facts.js';
import { hardenManifests, podTemplateSpecs, type ImageLookupsByPlatform } from '../../../src/manifests/harden-manifests.js';
import { policy } from '../../helpers/pods.js';

const root: ImageLookup = { status: 'found', facts: { user: 'root', volumes: [], digest: 'sha256:' + 'a'.repeat(64) } };
const uid: ImageLookup = { status: 'found', facts: { user: '1000', volumes: [], digest: 'sha256:' + 'b'.repeat(64) } };

const deployment = (name: string, spec: string): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec:\n  template:\n    spec:\n${spec}`;

const patchesOf = (text: string, images?: ImageLookupsByPlatform) =>
  hardenManifests([{ name: 'm.yaml', text }], policy(), images ? { images } : {}).workloads.map((w) => w.patch);

describe('image lookups in hardenManifests', () => {
  test('the lookups of the template platform decide: root on amd64, a uid on arm64', () => {
    const text = [
      deployment('amd', '      containers: [{name: c, image: app:1}]\n'),
      deployment('arm', '      nodeSelector: {kubernetes.io/arch: arm64}\n      containers: [{name: c, image: app:1}]\n'),
    ].join('---\n');
    const images = new Map([
      ['linux/amd64', new Map([['app:1', root]])],
      ['linux/arm64', new Map([['app:1', uid]])],
    ]);
    const result = hardenManifests([{ name: 'm.yaml', text }], policy(), { images });
    const nonRoot = result.workloads.map((w) => JSON.stringify(w.patch).includes('"runAsNonRoot":true'));
    expect(nonRoot).toEqual([false, true]);
    expect(result.warnings).toEqual([expect.stringContaining('(Deployment amd): container "c": runAsNonRoot not applied: image app:1 runs as root (USER root)')]);
  });

  test('a container with runAsUser is decided by it, whatever its image says (another template may have needed that image): the same patch as without images', () => {
    const text = deployment('set', '      containers: [{name: c, image: app:1, securityContext: {runAsUser: 1000}}]\n');
    const images = new Map([['linux/amd64', new Map([['app:1', root]])]]);
    expect(patchesOf(text, images)).toEqual(patchesOf(text));
  });

  test('without images, nothing changes from before images were read', () => {
    const text = deployment('web', '      containers: [{name: c, image: app:1}]\n');
    expect(JSON.stringify(patchesOf(text))).toContain('"runAsNonRoot":true');
  });
});

describe('podTemplateSpecs', () => {
  test('finds the templates of every kind, in Lists too, with their namespace; other objects have none', () => {
    const text = [
      'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n',
      'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: jobs}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec: {containers: [{name: c, image: cron:1}]}\n',
      'apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: pod:1}]}}\n',
    ].join('---\n');
    expect(podTemplateSpecs([{ name: 'm.yaml', text }])).toEqual([
      { label: 'm.yaml document 2 (CronJob c)', namespace: 'jobs', spec: { containers: [{ name: 'c', image: 'cron:1' }] } },
      { label: 'm.yaml document 3 item 1 (Pod p)', namespace: 'default', spec: { containers: [{ name: 'c', image: 'pod:1' }] } },
    ]);
  });
});
