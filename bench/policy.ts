/**
 * The policy every benchmark runs: the default, except that images are not
 * resolved. Benchmarks talk to loopback only, and no registry is there; a
 * webhook that tried would measure failed lookups. pod-hardener children get
 * it as a --config file, in-process code as the parsed policy.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { policySchema, type Policy } from '../src/config/policy.js';

const BENCH_POLICY_DOCUMENT = { images: { resolve: false } };

export const BENCH_POLICY: Policy = policySchema.parse(BENCH_POLICY_DOCUMENT);

/** Writes the policy into `directory`; its path, for `serve --config`. */
export function writeBenchPolicy(directory: string): string {
  const file = join(directory, 'policy.json');
  writeFileSync(file, JSON.stringify(BENCH_POLICY_DOCUMENT));
  return file;
}
