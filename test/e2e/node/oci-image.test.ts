/** The test images themselves: a valid OCI layout whose config says what the spec asked for. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildImage, ociArchive } from '../support/oci-image.js';

const run = promisify(execFile);
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// The images hold Debian's static busybox; the tests install it as root, and say so otherwise.
const unavailable = existsSync('/bin/busybox') || process.getuid?.() === 0 ? undefined : 'no /bin/busybox, and not root to apt-get install busybox-static';

(unavailable ? describe.skip : describe)(`OCI test images${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ph-oci-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function blob(layout: string, digest: string): Buffer {
    return readFileSync(join(layout, 'blobs/sha256', digest.replace('sha256:', '')));
  }

  test('every blob is stored under its own sha256, and the manifest points at the config and the busybox layer', async () => {
    const image = await buildImage({ name: 'e2e/volume:1', user: '1000:1000', volumes: ['/data'], cmd: ['sh', '-c', 'sleep 1'] }, dir);
    for (const name of readdirSync(join(image.layout, 'blobs/sha256'))) {
      expect(createHash('sha256').update(readFileSync(join(image.layout, 'blobs/sha256', name))).digest('hex')).toBe(name);
    }
    expect(JSON.parse(readFileSync(join(image.layout, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(readFileSync(join(image.layout, 'index.json'), 'utf8')) as Obj;
    expect(index.manifests).toEqual([expect.objectContaining({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image.manifestDigest })]);
    const manifest = JSON.parse(blob(image.layout, image.manifestDigest).toString()) as Obj;
    expect(manifest.config.digest).toBe(image.configDigests[0]);
    const config = JSON.parse(blob(image.layout, manifest.config.digest).toString()) as Obj;
    expect(config).toMatchObject({ os: 'linux', architecture: 'amd64', config: { User: '1000:1000', Volumes: { '/data': {} }, Cmd: ['sh', '-c', 'sleep 1'] } });
    expect(config.rootfs.diff_ids).toEqual([manifest.layers[0].digest]);

    const layer = join(dir, 'layer.tar');
    writeFileSync(layer, blob(image.layout, manifest.layers[0].digest));
    const listing = (await run('tar', ['--list', '--verbose', '--numeric-owner', '--file', layer])).stdout;
    expect(listing).toMatch(/^-rwxr-xr-x 0\/0 .* \.\/bin\/busybox$/m);
    expect(listing).toMatch(/^lrwxrwxrwx 0\/0 .* \.\/bin\/sh -> busybox$/m);
    expect(listing).toMatch(/^drwxrwxrwt 0\/0 .* \.\/tmp\/$/m);
    const passwd = (await run('tar', ['--extract', '--to-stdout', '--file', layer, './etc/passwd'])).stdout;
    expect(passwd).toMatch(/^app:x:1000:1000:/m);
    expect(passwd).toMatch(/^nobody:x:65534:65534:/m);
  });

  test('an image with no User has none in its config; the same spec gives the same digest', async () => {
    const first = await buildImage({ name: 'e2e/root:1' }, dir);
    const second = await buildImage({ name: 'e2e/root:1' }, join(dir, 'again'));
    expect(second.manifestDigest).toBe(first.manifestDigest);
    const config = JSON.parse(blob(first.layout, first.configDigests[0] as string).toString()) as Obj;
    expect(config.config.User).toBeUndefined();
  });

  test('several platforms make an index of one manifest each, with its own User', async () => {
    const image = await buildImage({ name: 'e2e/multi:1', user: '1000', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', user: 'nobody' }] }, dir);
    const index = JSON.parse(blob(image.layout, image.manifestDigest).toString()) as Obj;
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((m: Obj) => m.platform)).toEqual([{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }]);
    const users = image.configDigests.map((digest) => (JSON.parse(blob(image.layout, digest).toString()) as Obj).config.User);
    expect(users).toEqual(['1000', 'nobody']);
  });

  test('the archive names the image for ctr import', async () => {
    const image = await buildImage({ name: 'e2e/named:2' }, dir);
    const file = join(dir, 'named.tar');
    await ociArchive(image, file, 'e2e.local/named:2');
    const index = JSON.parse((await run('tar', ['--extract', '--to-stdout', '--file', file, 'index.json'])).stdout) as Obj;
    expect(index.manifests[0]).toMatchObject({ digest: image.manifestDigest, annotations: { 'io.containerd.image.name': 'e2e.local/named:2', 'org.opencontainers.image.ref.name': '2' } });
    const entries = (await run('tar', ['--list', '--file', file])).stdout.split('\n');
    expect(entries).toContain(`blobs/sha256/${image.manifestDigest.replace('sha256:', '')}`);
  });
});
