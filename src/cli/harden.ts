/**
 * `pod-hardener harden`: reads manifests (files, directories, stdin), prints
 * them hardened, or the patches, or a diff. All output is built first and
 * written at the end, so bad input never leaves half an answer on stdout.
 * With --resolve-images, the images of the pod templates are read from their
 * registries first (as the webhook reads them) and handed to the engine as data.
 */
import { readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { DEFAULT_CONFIG, loadConfigFile } from '../config/config-file.js';
import type { Mode, Policy } from '../config/policy.js';
import type { ImageLookups } from '../engine/image-facts.js';
import { namespaceDecision } from '../engine/namespace-rules.js';
import { isObject } from '../engine/pod.js';
import { createImageResolver, DockerConfigError, formatPlatform, imagesToLookUp, loadCliCredentials, LOOKUP_TIMEOUT_MS, podPlatform, type Platform } from '../images/index.js';
import { hardenManifests, podTemplateSpecs, type HardenResult, type ImageLookupsByPlatform, type ManifestInput } from '../manifests/harden-manifests.js';
import { MAX_INPUT_BYTES } from '../manifests/yaml-limits.js';
import { InputError } from './input-error.js';

export type HardenOutput = 'yaml' | 'patch' | 'diff';

export interface HardenOptions {
  files: string[];
  output: HardenOutput;
  config?: string;
  mode?: Mode;
  failOnChange?: boolean;
  /** Read the images' configs from their registries, as the webhook does (unless the policy's images.resolve is false). */
  resolveImages?: boolean;
  /** Docker config JSON with registry credentials; default $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
  registryConfig?: string;
}

/** What the CLI takes from its surroundings, given so tests need no mocking. */
export interface HardenEnvironment {
  stdin: () => string;
  env: NodeJS.ProcessEnv;
}

export interface HardenRun {
  stdout: string;
  stderr: string;
  exitCode: 0 | 1 | 2;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

function listDirectory(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return listDirectory(path);
      return entry.isFile() && MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase()) ? [path] : [];
    });
}

const TOO_LARGE = `is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB, the most harden reads from one input`;

/** A file, refused by its size before a byte is read: a huge input fails at once, in bounded memory. */
function readFile(path: string): string {
  if (statSync(path).size > MAX_INPUT_BYTES) throw new InputError(`${path}: ${TOO_LARGE}`);
  return readFileSync(path, 'utf8');
}

/** Standard input, read until its end or one byte past the limit, whichever comes first. */
export function readStdin(fd = 0): string {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(Math.min(1024 * 1024, MAX_INPUT_BYTES + 1 - total));
    let read: number;
    try {
      read = readSync(fd, chunk, 0, chunk.length, null);
    } catch (error) {
      // A non-blocking stdin (a terminal, some pipes) has no data yet: wait a moment and read again.
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      throw error;
    }
    if (read === 0) break;
    chunks.push(chunk.subarray(0, read));
    total += read;
    if (total > MAX_INPUT_BYTES) throw new InputError(`stdin ${TOO_LARGE}`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function readInputs(files: readonly string[], stdin: () => string): ManifestInput[] {
  const inputs: ManifestInput[] = [];
  for (const file of files.length > 0 ? files : ['-']) {
    try {
      if (file === '-') {
        inputs.push({ name: 'stdin', text: stdin() });
      } else if (statSync(file).isDirectory()) {
        const found = listDirectory(file);
        if (found.length === 0) throw new InputError(`${file}: no *.yaml, *.yml or *.json files in this directory`);
        for (const path of found) inputs.push({ name: path, text: readFile(path) });
      } else {
        inputs.push({ name: file, text: readFile(file) });
      }
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(`${file === '-' ? 'stdin' : file}: cannot read: ${(error as Error).message}`);
    }
  }
  return inputs;
}

function render(result: HardenResult, output: HardenOutput): string {
  if (output === 'patch') return `${JSON.stringify(result.workloads, null, 2)}\n`;
  if (output === 'diff') {
    return result.files
      .filter((file) => file.hardened !== file.original)
      .map((file) => createTwoFilesPatch(`a/${file.name}`, `b/${file.name}`, file.original, file.hardened, undefined, undefined, { context: 3 }))
      .map((patch) => patch.replace(/^=+\n/, ''))
      .join('');
  }
  // Files are joined as documents of one stream (a file that starts with its own `---` needs no other);
  // the last keeps its ending as it is, with or without a newline.
  return result.files
    .map((file, index) => {
      const separator = index === 0 || /^---(\s|$)/.test(file.hardened) ? '' : '---\n';
      const ending = index === result.files.length - 1 || file.hardened === '' || file.hardened.endsWith('\n') ? '' : '\n';
      return separator + file.hardened + ending;
    })
    .join('');
}

/**
 * The budget of the lookups of one run: the resolver's limit for one lookup
 * (15 s), not the policy's images.timeoutMs (2 s by default). The webhook's
 * budget bounds one review; an image it cannot read in time is read on after
 * the review and answered from its cache from then on. A preview shows that
 * steady state, not a cold cache's first answer. A larger images.timeoutMs wins.
 */
export function lookupBudgetMs(policy: Policy): number {
  return Math.max(policy.images.timeoutMs, LOOKUP_TIMEOUT_MS);
}

/**
 * The lookups the webhook would make for the pods of these manifests: per
 * platform, the images imagesToLookUp names (containers without runAsUser),
 * skipping namespaces the policy excludes. Undefined when images are not to
 * be read (no --resolve-images, or images.resolve: false): no request at all.
 */
async function lookUpImages(inputs: readonly ManifestInput[], policy: Policy, options: HardenOptions, env: NodeJS.ProcessEnv): Promise<ImageLookupsByPlatform | undefined> {
  if (!options.resolveImages || !policy.images.resolve) return undefined;
  let credentials;
  try {
    credentials = loadCliCredentials(options.registryConfig, env);
  } catch (error) {
    // The message names the file and what is wrong with it, never its content.
    if (error instanceof DockerConfigError) throw new InputError(error.message);
    throw error;
  }
  const wanted = new Map<string, { platform: Platform; images: Set<string> }>();
  for (const template of podTemplateSpecs(inputs)) {
    // Namespaces the policy excludes by name, as the webhook skips them (their labels are not known offline).
    if (!isObject(template.spec) || namespaceDecision(policy, template.namespace, undefined).excluded !== undefined) continue;
    const platform = podPlatform(template.spec);
    const key = formatPlatform(platform);
    const entry = wanted.get(key) ?? { platform, images: new Set<string>() };
    for (const image of imagesToLookUp(template.spec)) entry.images.add(image);
    wanted.set(key, entry);
  }
  const resolver = createImageResolver({ policy: policy.images, credentials });
  try {
    const answers = await Promise.all(
      [...wanted].map(async ([key, { platform, images }]): Promise<[string, ImageLookups]> => [key, images.size === 0 ? new Map() : await resolver.resolve([...images], platform, lookupBudgetMs(policy))]),
    );
    return new Map(answers);
  } finally {
    // Aborts what is still in flight, so the process ends with the answer.
    resolver.close();
  }
}

export async function runHarden(options: HardenOptions, environment: Partial<HardenEnvironment> = {}): Promise<HardenRun> {
  const { stdin = readStdin, env = process.env } = environment;
  if (options.registryConfig !== undefined && !options.resolveImages) throw new InputError('--registry-config is only read with --resolve-images');
  const config = options.config ? loadConfigFile(options.config) : DEFAULT_CONFIG;
  const policy = options.mode ? { ...config.policy, mode: options.mode } : config.policy;
  const inputs = readInputs(options.files, stdin);
  const images = await lookUpImages(inputs, policy, options, env);
  const result = hardenManifests(inputs, policy, images ? { images } : {});
  const stderr = result.warnings.map((warning) => `pod-hardener: warning: ${warning}\n`).join('');
  const exitCode = options.failOnChange && result.changed ? 2 : 0;
  const note = exitCode === 2 ? 'pod-hardener: --fail-on-change: the manifests are not hardened yet (see the output)\n' : '';
  return { stdout: render(result, options.output), stderr: stderr + note, exitCode };
}
