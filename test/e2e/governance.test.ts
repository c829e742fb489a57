/**
 * Namespaces decide, through the webhook's watched cache of a real API
 * server: exemptions only where the namespace allows them, per-namespace mode
 * and exclusion by label. The API server goes away and comes back; the
 * webhook keeps serving and catches up.
 */
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, until } from '../helpers/eventually.js';
import { postJson, send } from '../helpers/https.js';
import { pod as podOf } from '../helpers/pods.js';
import { reviewOf } from '../helpers/reviews.js';
import { bare, createNamespace, createPod, startHardener, type Hardener } from './support/cluster.js';

jest.setTimeout(180_000);

const POLICY = {
  exemptions: { namespaceLabel: 'pod-hardener.io/exemptions' },
  namespaces: { modeLabel: 'pod-hardener.io/mode', excludeLabel: 'pod-hardener.io/exclude' },
};
const EXEMPT = { annotations: { 'pod-hardener.io/exempt': 'readOnlyRootFilesystem', 'pod-hardener.io/exempt-reason': 'writes to /var/lib/app' } };

describe('namespace governance through a watched cache', () => {
  let env: Hardener;
  let ca: string;
  /** A review sent to the webhook directly (works while the API server is down too). */
  const decide = async (namespace: string): Promise<{ allowed: boolean; patch?: string; warnings?: string[] }> => {
    const res = await postJson(`https://127.0.0.1:${env.port}/mutate`, ca, reviewOf(podOf({}, { ...EXEMPT, namespace }), { namespace }));
    return res.json<{ response: { allowed: boolean; patch?: string; warnings?: string[] } }>().response;
  };
  const lastRecord = async (namespace: string): Promise<Record<string, unknown> | undefined> => (await env.hook.records()).filter((r) => r.type === 'decision' && r.namespace === namespace).at(-1);

  beforeAll(async () => {
    env = await startHardener({
      policy: POLICY,
      watchNamespaces: true,
      namespaceCache: { backoffMs: { initial: 200, max: 2000 }, resyncMs: 3000, syncTimeoutMs: 5000 },
    });
    ca = readFileSync(join(env.certDir, 'ca-bundle.crt'), 'utf8');
    await until('the webhook to be ready', async () => (await send(`https://127.0.0.1:${env.port}/readyz`, { ca })).status === 200);
  }, 240_000);
  afterAll(async () => {
    await env?.stop();
  });

  test('exemptions are refused, with a warning kubectl prints, until the namespace carries the label', async () => {
    await createNamespace(env.plane, 'team-gov');
    const refused = await createPod(env.plane, bare('refused', 'team-gov', {}, EXEMPT));
    expect(refused.code).toBe(0);
    expect(refused.stderr).toMatch(/Warning: pod-hardener: exemption of readOnlyRootFilesystem for the pod refused: namespace "team-gov" does not allow exemptions/);
    expect(refused.pod?.spec.containers?.[0]?.securityContext?.readOnlyRootFilesystem).toBe(true);

    await env.plane.kubectl(['label', 'namespace', 'team-gov', 'pod-hardener.io/exemptions=true']);
    const honoured = await eventually('the label to reach the cache', async () => {
      const created = await createPod(env.plane, bare(`honoured-${Date.now()}`, 'team-gov', {}, EXEMPT), { dryRun: true });
      return created.pod?.spec.containers?.[0]?.securityContext?.readOnlyRootFilesystem === undefined ? created : undefined;
    });
    expect(honoured.stderr).toBe('');
    expect(await lastRecord('team-gov')).toMatchObject({ exemptReason: 'writes to /var/lib/app', refusedExemptions: [] });
  });

  test('a brand-new labelled namespace is honoured for its very first pod', async () => {
    await createNamespace(env.plane, 'fresh-gov', { 'pod-hardener.io/exemptions': 'true' });
    const created = await createPod(env.plane, bare('first', 'fresh-gov', {}, EXEMPT), { dryRun: true });
    expect(created.stderr).toBe('');
    expect(created.pod?.spec.containers?.[0]?.securityContext?.readOnlyRootFilesystem).toBeUndefined();
  });

  test('the mode label switches a namespace to audit and back; the exclude label leaves it alone', async () => {
    await createNamespace(env.plane, 'modes-gov');
    await env.plane.kubectl(['label', 'namespace', 'modes-gov', 'pod-hardener.io/mode=audit']);
    await until('audit mode', async () => (await decide('modes-gov')).patch === undefined && (await lastRecord('modes-gov'))?.mode === 'audit');
    expect((await decide('modes-gov')).warnings).toEqual(expect.arrayContaining([expect.stringMatching(/audit mode, nothing changed/)]));

    await env.plane.kubectl(['label', 'namespace', 'modes-gov', 'pod-hardener.io/mode=enforce', '--overwrite']);
    await until('enforce mode', async () => (await decide('modes-gov')).patch !== undefined);

    await env.plane.kubectl(['label', 'namespace', 'modes-gov', 'pod-hardener.io/exclude=true']);
    await until('exclusion', async () => (await decide('modes-gov')).patch === undefined && (await lastRecord('modes-gov'))?.outcome === 'skipped');
    expect((await lastRecord('modes-gov'))?.skipReason).toBe('namespace "modes-gov" is excluded by its pod-hardener.io/exclude label');
  });

  test('the API server goes away: the webhook keeps serving with what it knew, stays ready, and catches up when it is back', async () => {
    await createNamespace(env.plane, 'outage-gov', { 'pod-hardener.io/exemptions': 'true' });
    await until('the namespace in the cache', async () => (await decide('outage-gov')).warnings === undefined);

    await env.plane.stopApiServer();
    await until('the lost watch to be noticed', async () => (await env.hook.records()).some((r) => r.message === 'namespace watch lost; decisions use the last known namespaces until it reconnects'));
    for (let i = 0; i < 5; i += 1) {
      const answer = await decide('outage-gov');
      expect(answer.allowed).toBe(true);
      expect(answer.warnings).toBeUndefined();
    }
    expect((await send(`https://127.0.0.1:${env.port}/readyz`, { ca })).status).toBe(200);
    // Retries back off (0.2 s doubling to 2 s here) and the outage is reported once, not at every retry.
    await new Promise((r) => setTimeout(r, 4000));
    expect((await env.hook.records()).filter((r) => r.message === 'namespace watch lost; decisions use the last known namespaces until it reconnects')).toHaveLength(1);

    await env.plane.startApiServer();
    await env.plane.kubectl(['label', 'namespace', 'outage-gov', 'pod-hardener.io/exemptions-']);
    const refused = await eventually('the webhook to catch up', async () => {
      const answer = await decide('outage-gov');
      return answer.warnings?.some((w) => w.includes('does not allow exemptions')) ? answer : undefined;
    }, { timeoutMs: 60_000 });
    expect(refused.allowed).toBe(true);
    expect((await env.hook.records()).filter((r) => r.message === 'namespace watch reconnected')).toHaveLength(1);
  });
});
