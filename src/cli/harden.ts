/**
 * `pod-hardener harden`: reads manifests (files, directories, stdin), prints
 * them hardened, or the patches, or a diff. All output is built first and
 * written at the end, so bad input never leaves half an answer on stdout.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { DEFAULT_CONFIG, loadConfigFile } from '../config/config-file.js';
import type { Mode } from '../config/policy.js';
import { hardenManifests, type HardenResult, type ManifestInput } from '../manifests/harden-manifests.js';
import { InputError } from './input-error.js';

export type HardenOutput = 'yaml' | 'patch' | 'diff';

export interface HardenOptions {
  files: string[];
  output: HardenOutput;
  config?: string;
  mode?: Mode;
  failOnChange?: boolean;
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

function readInputs(files: readonly string[], stdin: () => string): ManifestInput[] {
  const inputs: ManifestInput[] = [];
  for (const file of files.length > 0 ? files : ['-']) {
    try {
      if (file === '-') {
        inputs.push({ name: 'stdin', text: stdin() });
      } else if (statSync(file).isDirectory()) {
        const found = listDirectory(file);
        if (found.length === 0) throw new InputError(`${file}: no *.yaml, *.yml or *.json files in this directory`);
        for (const path of found) inputs.push({ name: path, text: readFileSync(path, 'utf8') });
      } else {
        inputs.push({ name: file, text: readFileSync(file, 'utf8') });
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
  return result.files.map((file) => (file.hardened.endsWith('\n') || file.hardened === '' ? file.hardened : `${file.hardened}\n`)).join('---\n');
}

export function runHarden(options: HardenOptions, stdin: () => string = () => readFileSync(0, 'utf8')): HardenRun {
  const config = options.config ? loadConfigFile(options.config) : DEFAULT_CONFIG;
  const policy = options.mode ? { ...config.policy, mode: options.mode } : config.policy;
  const result = hardenManifests(readInputs(options.files, stdin), policy);
  const stderr = result.warnings.map((warning) => `pod-hardener: warning: ${warning}\n`).join('');
  const exitCode = options.failOnChange && result.changed ? 2 : 0;
  const note = exitCode === 2 ? 'pod-hardener: --fail-on-change: the manifests are not hardened yet (see the output)\n' : '';
  return { stdout: render(result, options.output), stderr: stderr + note, exitCode };
}
