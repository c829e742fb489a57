/**
 * The config file: the policy at the top level, and an optional `serve:`
 * section with serve options. YAML, validated; errors name the file and field.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './errors.js';
import { policySchema, type Policy } from './policy.js';
import { serveFileSchema, type ServeFileOptions } from './serve-options.js';
import { describeIssues } from './zod-messages.js';

const configFileSchema = policySchema.extend({ serve: serveFileSchema.default({}) }).strict();

export interface ConfigFile {
  policy: Policy;
  serve: ServeFileOptions;
}

export function parseConfig(text: string, source: string): ConfigFile {
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: true, maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError(`${source}: not valid YAML: ${(error as Error).message}`);
  }
  if (document === null || document === undefined) document = {};
  if (typeof document !== 'object' || Array.isArray(document)) throw new ConfigError(`${source}: must be a YAML mapping of policy fields`);
  const parsed = configFileSchema.safeParse(document);
  if (!parsed.success) throw new ConfigError(`${source}: invalid configuration:\n  ${describeIssues(parsed.error).join('\n  ')}`);
  const { serve, ...policy } = parsed.data;
  return { policy, serve };
}

export function loadConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot read the config file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseConfig(text, path);
}

export const DEFAULT_CONFIG: ConfigFile = { policy: policySchema.parse({}), serve: {} };
