/** Real log output of the running server, checked against the schema documented in docs/audit-log.md. */
import { readFileSync } from 'node:fs';
import { postJson } from '../helpers/https.js';
import { container, pod } from '../helpers/pods.js';
import { reviewOf } from '../helpers/reviews.js';
import { startTestWebhook } from '../helpers/webhook.js';

/** The field names of the documented schema, in documented order (top-level rows of the table). */
function documentedFields(): string[] {
  const doc = readFileSync(new URL('../../docs/audit-log.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Decision record, schema version 1'), doc.indexOf('## Example'));
  return [...section.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1] ?? '');
}

describe('the decision log', () => {
  test('every record has exactly the documented fields, in order, with the documented types', async () => {
    const hook = await startTestWebhook();
    try {
      const withOwner = pod({ containers: [container('app', { securityContext: { runAsUser: 0 } })] }, { name: undefined, generateName: 'web-', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d4', uid: 'u', controller: true }], annotations: { 'pod-hardener.io/exempt': 'privileged', 'pod-hardener.io/exempt-reason': 'debugging' } });
      await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(withOwner, { uid: 'r1', name: undefined, userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' } }));
      await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(pod(), { uid: 'r2', namespace: 'kube-system' }));
      await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(pod(), { uid: 'r3', dryRun: true }));
      const records = (await hook.records()).filter((r) => r.type === 'decision');
      expect(records.map((r) => r.uid)).toEqual(['r1', 'r2', 'r3']);

      const fields = documentedFields();
      expect(fields.length).toBeGreaterThan(20);
      for (const record of records) {
        expect(Object.keys(record)).toEqual(fields);
        expect(record).toMatchObject({ type: 'decision', level: 'info', schemaVersion: 1 });
        expect(new Date(String(record.time)).toISOString()).toBe(record.time);
        expect(typeof record.durationMs).toBe('number');
        expect(Array.isArray(record.containers) && Array.isArray(record.patch) && Array.isArray(record.warnings)).toBe(true);
      }
      const [first, second, third] = records;
      expect(first).toMatchObject({
        namespace: 'team-a',
        name: null,
        generateName: 'web-',
        owner: { kind: 'ReplicaSet', name: 'web-5d4' },
        user: 'system:serviceaccount:kube-system:replicaset-controller',
        operation: 'CREATE',
        outcome: 'patched',
        exemptReason: 'debugging',
        containers: [{ name: 'app', kind: 'container', exempted: ['privileged'], notApplicable: [{ control: 'runAsNonRoot', reason: expect.stringMatching(/uid 0/) }] }],
      });
      expect(second).toMatchObject({ outcome: 'skipped', skipReason: 'namespace "kube-system" is excluded', containers: [], patch: [] });
      expect(third).toMatchObject({ dryRun: true, outcome: 'patched' });
    } finally {
      await hook.stop();
    }
  });
});
