/** The chart's values schema keeps up with the policy the webhook accepts. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { policySchema } from '../../../src/config/policy.js';
import { regeneratedValuesSchema, VALUES_SCHEMA_PATH, writeValuesSchema } from '../../helpers/chart-values-schema.js';

const REGENERATE = 'POD_HARDENER_WRITE_SCHEMA=1 node --experimental-vm-modules node_modules/jest/bin/jest.js test/unit/deploy/chart-values-schema';

describe('charts/pod-hardener/values.schema.json', () => {
  if (process.env.POD_HARDENER_WRITE_SCHEMA === '1') beforeAll(writeValuesSchema);

  test('its policy part is the one generated from src/config/policy.ts', () => {
    const committed = readFileSync(VALUES_SCHEMA_PATH, 'utf8');
    const current = regeneratedValuesSchema(committed);
    if (current !== committed) throw new Error(`values.schema.json is out of date with the policy schema; regenerate it:\n  ${REGENERATE}`);
  });

  test('the chart\'s default policy is one the webhook accepts, and the one manifests/ ships', () => {
    const values = parse(readFileSync(fileURLToPath(new URL('../../../charts/pod-hardener/values.yaml', import.meta.url)), 'utf8'));
    const configMap = parse(readFileSync(fileURLToPath(new URL('../../../manifests/base/configmap.yaml', import.meta.url)), 'utf8'));
    expect(policySchema.parse(values.policy)).toEqual(policySchema.parse(parse(configMap.data['policy.yaml'])));
  });
});
