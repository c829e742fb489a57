/**
 * Image-aware hardening on a real node (issue 17): the webhook reads each
 * image's config from a real registry (the CNCF distribution registry on
 * loopback), containerd pulls the same images from it, and the kubelet is the
 * judge. Every image, root ones included, reaches Running; non-root images
 * get every control.
 */
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../../src/engine/pod.js';
import type { TestWebhook } from '../../helpers/webhook.js';
import { BASELINE, createNamespace, createPod, RESTRICTED } from '../support/cluster.js';
import { buildImage, type ImageSpec } from '../support/oci-image.js';
import { describeNode, reconfigureWebhook, startNodeEnv, switchWebhook, type NodeEnv } from '../support/node-suite.js';
import { nodePod, procStatus, shell } from '../support/node-pods.js';
import { podOutcome } from '../support/pod-status.js';
import { pushLayout, startRegistry, type RunningRegistry } from '../support/registry.js';

jest.setTimeout(180_000);

const RESTRICTED_NS = 'images-restricted';
const BASELINE_NS = 'images-baseline';

/** The test images, by name; pushed as <registry>/<name>:1. */
const SPECS: Record<string, Omit<ImageSpec, 'name'>> = {
  root: {}, // no USER, like nginx:1.27: runs as root
  'root-named': { user: 'root' },
  uid: { user: '1000' },
  'uid-gid': { user: '1000:1000' },
  named: { user: 'nobody' },
  volume: { user: '1000', volumes: ['/data'] },
};

describeNode('image-aware hardening on a real node, images read from a real registry', () => {
  let env: NodeEnv;
  let registry: RunningRegistry;
  const scratch = mkdtempSync(join(tmpdir(), 'ph-image-aware-'));
  const image = (name: string): string => `${registry.host}/${name}:1`;

  beforeAll(async () => {
    registry = await startRegistry({ storage: join(scratch, 'storage') });
    for (const [name, spec] of Object.entries(SPECS)) {
      const built = await buildImage({ name, ...spec }, join(scratch, name));
      await pushLayout(registry.host, name, '1', built.layout);
    }
    // The webhook reads images from the registry (loopback registries are read over plain HTTP); containerd pulls from it.
    env = await startNodeEnv({ policy: { images: { resolve: true } }, node: { registries: [registry.host] } });
    await createNamespace(env.plane, RESTRICTED_NS, RESTRICTED);
    await createNamespace(env.plane, BASELINE_NS, BASELINE);
  }, 600_000);
  afterAll(async () => {
    await env?.stop();
    await registry?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }, 120_000);

  /** A pod of the image, pulled from the registry as a cluster would. */
  function pulledPod(name: string, namespace: string, imageName: string): Pod {
    return nodePod(name, namespace, image(imageName), { container: { imagePullPolicy: 'IfNotPresent' } });
  }

  async function create(name: string, namespace: string, imageName: string): Promise<{ pod: Pod; stderr: string }> {
    const created = await createPod(env.plane, pulledPod(name, namespace, imageName));
    expect(created.code).toBe(0);
    if (!created.pod) throw new Error(`no pod back for ${name}: ${created.stderr}`);
    return { pod: created.pod, stderr: created.stderr };
  }

  test.each([
    ['uid', '1000'],
    ['uid-gid', '1000'],
  ])('a %s image gets every control in a restricted namespace and runs as its own user', async (name, uid) => {
    const { pod } = await create(`nonroot-${name}`, RESTRICTED_NS, name);
    expect(pod.spec.containers?.[0]?.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, seccompProfile: { type: 'RuntimeDefault' } });
    expect(await podOutcome(env.plane, RESTRICTED_NS, `nonroot-${name}`)).toMatchObject({ phase: 'Running' });
    expect((await procStatus(env.plane, RESTRICTED_NS, `nonroot-${name}`)).Uid?.split(/\s+/)[0]).toBe(uid);
  });

  test.each(['root', 'root-named', 'named'])('a %s image is never made unstartable: no runAsNonRoot, a warning that names the image and the fix, and it runs', async (name) => {
    const { pod, stderr } = await create(`image-${name}`, BASELINE_NS, name);
    expect(pod.spec.containers?.[0]?.securityContext?.runAsNonRoot).toBeUndefined();
    // The other controls still apply.
    expect(pod.spec.containers?.[0]?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(stderr).toContain(image(name));
    expect(stderr).toMatch(/set runAsUser, or use an image with a numeric non-root USER/);
    expect(await podOutcome(env.plane, BASELINE_NS, `image-${name}`)).toMatchObject({ phase: 'Running' });
  });

  test("a non-root image's declared VOLUME gets a writable emptyDir, so the app can write there under a read-only root", async () => {
    const { pod } = await create('volume', RESTRICTED_NS, 'volume');
    expect(pod.spec.containers?.[0]?.volumeMounts?.map((m) => m.mountPath)).toEqual(expect.arrayContaining(['/tmp', '/data']));
    expect(await podOutcome(env.plane, RESTRICTED_NS, 'volume')).toMatchObject({ phase: 'Running' });
    expect((await shell(env.plane, RESTRICTED_NS, 'volume', 'echo ok > /data/probe && cat /data/probe')).stdout.trim()).toBe('ok');
    expect((await shell(env.plane, RESTRICTED_NS, 'volume', 'echo x > /probe')).code).not.toBe(0);
  });

  test('the decision record names the digest each decision was based on', async () => {
    const record = (await env.hook.records()).find((r) => r.type === 'decision' && r.name === 'image-root');
    const container = (record?.containers as Array<{ image?: { reference: string; digest: string | null } }> | undefined)?.[0];
    expect(container?.image).toEqual({ reference: image('root'), digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
  });

  describe("with the policy's defaultRunAsUser", () => {
    let withDefault: TestWebhook;
    beforeAll(async () => {
      withDefault = await switchWebhook(env, { images: { resolve: true }, defaultRunAsUser: 65532 }, 'defaultRunAsUser', async () => {
        const probe = await createPod(env.plane, pulledPod(`probe-${Date.now()}`, RESTRICTED_NS, 'root'), { dryRun: true });
        return JSON.stringify(probe.pod?.spec ?? {}).includes('"runAsUser":65532');
      });
    }, 60_000);
    afterAll(async () => {
      await reconfigureWebhook(env, {});
      await withDefault?.stop();
    });

    test.each(['root', 'named'])('a %s image gets that uid and every control, in a restricted namespace, and runs as it', async (name) => {
      const { pod } = await create(`default-${name}`, RESTRICTED_NS, name);
      expect(pod.spec.containers?.[0]?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
      expect(await podOutcome(env.plane, RESTRICTED_NS, `default-${name}`)).toMatchObject({ phase: 'Running' });
      expect((await procStatus(env.plane, RESTRICTED_NS, `default-${name}`)).Uid?.split(/\s+/)[0]).toBe('65532');
    });

    test('a numeric non-root image keeps its own user: no lookup result is overridden', async () => {
      const { pod } = await create('default-uid', RESTRICTED_NS, 'uid');
      expect(pod.spec.containers?.[0]?.securityContext?.runAsUser).toBeUndefined();
      expect(await podOutcome(env.plane, RESTRICTED_NS, 'default-uid')).toMatchObject({ phase: 'Running' });
      expect((await procStatus(env.plane, RESTRICTED_NS, 'default-uid')).Uid?.split(/\s+/)[0]).toBe('1000');
    });
  });
});
