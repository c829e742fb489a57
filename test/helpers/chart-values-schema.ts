/**
 * charts/pod-hardener/values.schema.json: its `policy` part is made from the
 * webhook's own zod schema (src/config/policy.ts), so `helm install` refuses
 * exactly the policies the webhook would refuse. The rest is written by hand.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { policySchema } from '../../src/config/policy.js';

export const VALUES_SCHEMA_PATH = fileURLToPath(new URL('../../charts/pod-hardener/values.schema.json', import.meta.url));

/** Draft-07, which every Helm 3 and 4 validates; the input side, where fields with defaults may be left out. */
export function policyJsonSchema(): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(policySchema, { io: 'input', target: 'draft-7' });
  return { description: 'The policy file, rendered into the ConfigMap; generated from src/config/policy.ts.', ...schema };
}

/** The values schema text with its policy part regenerated. */
export function regeneratedValuesSchema(text: string): string {
  const schema = JSON.parse(text) as { properties: Record<string, unknown> };
  schema.properties.policy = policyJsonSchema();
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** POD_HARDENER_WRITE_SCHEMA=1 jest test/unit/deploy/chart-values-schema: rewrites the file in place. */
export function writeValuesSchema(): void {
  writeFileSync(VALUES_SCHEMA_PATH, regeneratedValuesSchema(readFileSync(VALUES_SCHEMA_PATH, 'utf8')));
}
