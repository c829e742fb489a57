/** The deployment artifacts, checked as YAML: what a platform team applies must be right as it is. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { parse, parseAllDocuments } from 'yaml';
import { describeDeployChecks, type Obj } from '../../helpers/deploy-checks.js';

const MANIFESTS = fileURLToPath(new URL('../../../manifests/', import.meta.url));

function load(path: string): Obj[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as Obj;
  });
}

const kustomization = (dir: string): Obj => load(`${MANIFESTS}${dir}/kustomization.yaml`)[0] as Obj;

/**
 * What `kubectl kustomize manifests/<dir>` renders, for the features manifests/
 * uses (resources, and JSON patches by kind and name); the e2e tests render it
 * with the real kustomize.
 */
function build(dir: string): Obj[] {
  const { resources, patches = [] } = kustomization(dir);
  const objects = (resources as string[]).flatMap((entry) => (entry.endsWith('.yaml') ? load(`${MANIFESTS}${dir}/${entry}`) : build(`${dir}/${entry}`)));
  for (const { target, patch } of patches as Obj[]) {
    const matching = objects.filter((o) => o.kind === target.kind && o.metadata.name === target.name);
    expect(matching).toHaveLength(1);
    fastJsonPatch.applyPatch(matching[0], parse(patch) as Operation[]);
  }
  return objects;
}

describe('manifests/', () => {
  test('the kustomization lists every file of the base, and the top-level one points at it', () => {
    expect([...kustomization('base').resources].sort()).toEqual(readdirSync(`${MANIFESTS}base`).filter((f) => f !== 'kustomization.yaml').sort());
    expect(kustomization('.').resources).toEqual(['base']);
  });
});

// Certificates from certs/install.sh: it writes the Secret and fills in the CA bundle.
describeDeployChecks('manifests/ (kubectl apply -k manifests/)', () => build('base'), { namespace: 'pod-hardener', externalTls: true });
describeDeployChecks('manifests/cert-manager (kubectl apply -k manifests/cert-manager)', () => build('cert-manager'), { namespace: 'pod-hardener' });

describe('Dockerfile', () => {
  const dockerfile = readFileSync(fileURLToPath(new URL('../../../Dockerfile', import.meta.url)), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1) ?? '';

  test('is multi-stage, and the runtime stage gets production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]).toMatch(/npm prune --omit=dev/);
    expect(runtime).toMatch(/COPY --from=build .*\/app\/node_modules/);
    expect(runtime).not.toMatch(/npm (ci|install)/);
  });

  test('runs as a numeric non-root user, with an exec-form entrypoint (no shell)', () => {
    const user = /^USER (\d+)(:\d+)?$/m.exec(runtime);
    expect(user).not.toBeNull();
    expect(Number(user?.[1])).toBeGreaterThan(0);
    expect(runtime).toMatch(/^ENTRYPOINT \[".*node", ".*dist\/cli\/main\.js"\]$/m);
    expect(runtime).not.toMatch(/^(RUN|CMD|ENTRYPOINT) (?!\[)/m);
  });

  test('copies only files that exist in the repository', () => {
    for (const [, sources] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of (sources ?? '').split(/\s+/)) {
        expect(() => readFileSync(fileURLToPath(new URL(`../../../${source}`, import.meta.url)))).not.toThrow(/ENOENT/);
      }
    }
  });
});
