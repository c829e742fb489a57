/**
 * OCI images for the end-to-end tests, built with `tar` and Node's crypto
 * alone (no Docker, no registry on the internet): one layer holding a static
 * busybox with its applet links, /etc/passwd and /etc/group (root, app 1000,
 * nobody 65534), /tmp (1777) and an app data folder /var/lib/app (0777: the
 * non-root test app can write outside /tmp, as real apps do, and only a
 * read-only root stops it), then a config per platform, a manifest, and
 * for several platforms an index. The result is an OCI image layout
 * (https://github.com/opencontainers/image-spec/blob/main/image-layout.md)
 * that a registry client can push, or, as an archive, `ctr images import` loads.
 * Test tooling only.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { ensurePackages } from './debian-packages.js';

const run = promisify(execFile);

export interface ImageSpec {
  name: string;
  /** The config's User: unset, `1000`, `1000:1000`, `nobody`, … */
  user?: string;
  /** Paths the image declares as VOLUMEs. */
  volumes?: string[];
  cmd?: string[];
  /** Several platforms make an image index; each may have its own User. */
  platforms?: Array<{ os: string; architecture: string; user?: string }>;
}

export interface BuiltImage {
  /** OCI image layout dir: oci-layout, index.json, blobs/sha256/* */
  layout: string;
  /** The manifest's digest; for a multi-platform image, the index's. */
  manifestDigest: string;
  configDigests: string[];
}

const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
} as const;

/** What a descriptor says about a blob (https://github.com/opencontainers/image-spec/blob/main/descriptor.md). */
interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}

const BUSYBOX = '/bin/busybox';
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\napp:x:1000:\nnobody:x:65534:\n';

/** The busybox layer is the same for every image: made once per process. */
let busyboxLayer: Promise<Buffer> | undefined;

async function makeBusyboxLayer(): Promise<Buffer> {
  if (!existsSync(BUSYBOX)) await ensurePackages(['busybox-static'], 'a static busybox for the test images');
  const root = await mkdtemp(join(tmpdir(), 'ph-layer-'));
  try {
    for (const dir of ['bin', 'etc', 'tmp', 'root', 'home/app', 'var/lib/app', 'proc', 'sys', 'dev']) await mkdir(join(root, dir), { recursive: true });
    await copyFile(BUSYBOX, join(root, 'bin/busybox'));
    await chmod(join(root, 'bin/busybox'), 0o755);
    const applets = (await run(BUSYBOX, ['--list'])).stdout.split('\n').filter((name) => /^[\w.[-]+$/.test(name) && name !== 'busybox');
    for (const applet of applets) await symlink('busybox', join(root, 'bin', applet));
    await writeFile(join(root, 'etc/passwd'), PASSWD);
    await writeFile(join(root, 'etc/group'), GROUP);
    await chmod(join(root, 'tmp'), 0o1777);
    await chmod(join(root, 'var/lib/app'), 0o777);
    return await tarLayer(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** A layer of a folder's content, owned by root whoever builds it, in stable bytes (no times, sorted): its digest depends on the content only. */
async function tarLayer(root: string): Promise<Buffer> {
  const { stdout } = await run('tar', ['--create', '--file=-', '--directory', root, '--sort=name', '--numeric-owner', '--owner=0', '--group=0', '--mtime=@0', '--format=posix', '--pax-option=delete=atime,delete=ctime', '.'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Writes a blob into the layout and returns its descriptor. */
async function putBlob(layout: string, mediaType: string, bytes: Buffer): Promise<Descriptor> {
  const digest = digestOf(bytes);
  await writeFile(join(layout, 'blobs/sha256', digest.slice('sha256:'.length)), bytes);
  return { mediaType, digest, size: bytes.length };
}

function putJson(layout: string, mediaType: string, value: unknown): Promise<Descriptor> {
  return putBlob(layout, mediaType, Buffer.from(JSON.stringify(value)));
}

/** The image config (https://github.com/opencontainers/image-spec/blob/main/config.md). */
function imageConfig(spec: ImageSpec, platform: { os: string; architecture: string }, user: string | undefined, layerDigest: string): unknown {
  return {
    architecture: platform.architecture,
    os: platform.os,
    config: {
      ...(user !== undefined ? { User: user } : {}),
      Env: [`PATH=${PATH}`],
      Cmd: spec.cmd ?? ['sleep', '3600'],
      WorkingDir: '/',
      ...(spec.volumes?.length ? { Volumes: Object.fromEntries(spec.volumes.map((path) => [path, {}])) } : {}),
    },
    // The layer is an uncompressed tar: its diff id is its digest.
    rootfs: { type: 'layers', diff_ids: [layerDigest] },
    history: [{ created_by: 'pod-hardener e2e: static busybox' }],
  };
}

function slug(name: string): string {
  return name.replace(/[^a-zA-Z0-9.-]+/g, '_');
}

/** Builds the busybox image into a layout under `dir` (one sub-directory per image name, so one dir can hold several). */
export async function buildImage(spec: ImageSpec, dir: string): Promise<BuiltImage> {
  busyboxLayer ??= makeBusyboxLayer();
  const layer = await busyboxLayer.catch((error: unknown) => {
    busyboxLayer = undefined;
    throw error;
  });
  return writeImage(spec, layer, dir);
}

/** An image of one static program at /<its name> and nothing else (the node's pause image); its Cmd runs it unless the spec says otherwise. */
export async function buildProgramImage(spec: ImageSpec, program: string, dir: string): Promise<BuiltImage> {
  const root = await mkdtemp(join(tmpdir(), 'ph-layer-'));
  try {
    const name = basename(program);
    await copyFile(program, join(root, name));
    await chmod(join(root, name), 0o755);
    return await writeImage({ cmd: [`/${name}`], ...spec }, await tarLayer(root), dir);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function writeImage(spec: ImageSpec, layerBytes: Buffer, dir: string): Promise<BuiltImage> {
  const layout = join(dir, slug(spec.name));
  await rm(layout, { recursive: true, force: true });
  await mkdir(join(layout, 'blobs/sha256'), { recursive: true });
  const layer = await putBlob(layout, MEDIA.layer, layerBytes);
  const platforms = spec.platforms ?? [{ os: 'linux', architecture: 'amd64', user: spec.user }];
  const configDigests: string[] = [];
  const manifests: Descriptor[] = [];
  for (const platform of platforms) {
    const user = 'user' in platform ? platform.user : spec.user;
    const config = await putJson(layout, MEDIA.config, imageConfig(spec, platform, user, layer.digest));
    configDigests.push(config.digest);
    const manifest = await putJson(layout, MEDIA.manifest, { schemaVersion: 2, mediaType: MEDIA.manifest, config, layers: [layer] });
    manifests.push({ ...manifest, platform: { os: platform.os, architecture: platform.architecture } });
  }
  let top: Descriptor;
  if (spec.platforms) {
    top = await putJson(layout, MEDIA.index, { schemaVersion: 2, mediaType: MEDIA.index, manifests });
  } else {
    const { platform: _platform, ...manifest } = manifests[0] as Descriptor;
    top = manifest;
  }
  await writeLayoutIndex(layout, top);
  return { layout, manifestDigest: top.digest, configDigests };
}

async function writeLayoutIndex(into: string, top: Descriptor): Promise<void> {
  await writeFile(join(into, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(into, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.index, manifests: [top] }));
}

/**
 * A tar of the layout whose index names the image, for `ctr images import`:
 * containerd takes the name from `io.containerd.image.name`; the OCI
 * annotation `org.opencontainers.image.ref.name` carries the tag.
 */
export async function ociArchive(image: BuiltImage, file: string, refName: string): Promise<void> {
  const index = JSON.parse(await readFile(join(image.layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const top = index.manifests[0] as Descriptor;
  const tag = refName.includes(':') && !refName.slice(refName.lastIndexOf(':')).includes('/') ? refName.slice(refName.lastIndexOf(':') + 1) : 'latest';
  const stage = await mkdtemp(join(tmpdir(), 'ph-oci-index-'));
  try {
    await writeLayoutIndex(stage, { ...top, annotations: { 'io.containerd.image.name': refName, 'org.opencontainers.image.ref.name': tag } });
    await run('tar', ['--create', `--file=${file}`, '--directory', stage, 'oci-layout', 'index.json', '--directory', image.layout, 'blobs']);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
