/**
 * runAsNonRoot decided with what the image says about itself (issue 17):
 * the decision table, one named row each.
 */
import type { ImageLookup } from '../../../../src/engine/image-facts.js';
import { container, harden, outcomeKinds, pod, warningsOf } from '../../../helpers/pods.js';

const IMAGE = 'registry.example/app:1.0';
const found = (user: string, volumes: string[] = []): ImageLookup => ({ status: 'found', facts: { user, volumes, digest: 'sha256:abc' } });
const unreadable: ImageLookup = { status: 'unreadable', reason: 'registry unreachable' };

function run(lookup: ImageLookup | undefined, policy: Record<string, unknown> = {}, extra: Parameters<typeof container>[1] = {}) {
  const images = new Map(lookup ? [[IMAGE, lookup]] : []);
  const { pod: result, decision } = harden(pod({ containers: [container('app', extra)] }), policy, { images });
  return { sc: result.spec.containers?.[0]?.securityContext ?? {}, outcome: outcomeKinds(decision, 'app').runAsNonRoot, warnings: warningsOf(decision).join('\n'), decision, result };
}

describe('runAsNonRoot from the image', () => {
  test.each([
    { user: '1000', expected: true },
    { user: '1000:1000', expected: true },
    { user: '65532:0', expected: true },
  ])('USER $user (numeric, not 0): runAsNonRoot applies', ({ user, expected }) => {
    const { sc, outcome } = run(found(user));
    expect(sc.runAsNonRoot).toBe(expected);
    expect(outcome).toBe('applied');
  });

  test.each([
    { user: '', shown: /runs as root \(USER unset\)/ },
    { user: 'root', shown: /runs as root \(USER root\)/ },
    { user: '0', shown: /runs as root \(USER 0\)/ },
    { user: '0:0', shown: /runs as root \(USER 0:0\)/ },
    { user: 'nginx', shown: /named user the kubelet cannot verify \(USER nginx\)/ },
    { user: 'app:app', shown: /named user the kubelet cannot verify \(USER app:app\)/ },
  ])('USER "$user" without defaultRunAsUser: no runAsNonRoot, and a warning with the image and the fix', ({ user, shown }) => {
    const { sc, outcome, warnings } = run(found(user));
    expect(sc.runAsNonRoot).toBeUndefined();
    expect(sc.runAsUser).toBeUndefined();
    expect(outcome).toBe('notApplicable');
    expect(warnings).toMatch(shown);
    expect(warnings).toContain(IMAGE);
    expect(warnings).toContain('set runAsUser, or use an image with a numeric non-root USER');
  });

  test.each(['', 'root', 'nginx'])('USER "%s" with defaultRunAsUser: that uid, and runAsNonRoot', (user) => {
    const { sc, outcome } = run(found(user), { defaultRunAsUser: 65532 });
    expect(sc).toMatchObject({ runAsUser: 65532, runAsNonRoot: true });
    expect(outcome).toBe('applied');
  });

  test('a numeric non-root USER keeps its own uid even with defaultRunAsUser', () => {
    expect(run(found('1000'), { defaultRunAsUser: 65532 }).sc.runAsUser).toBeUndefined();
  });

  test('runAsUser set on the container: the image does not matter', () => {
    const { sc, outcome } = run(found(''), {}, { securityContext: { runAsUser: 1000 } });
    expect(sc).toMatchObject({ runAsUser: 1000, runAsNonRoot: true });
    expect(outcome).toBe('applied');
  });

  test.each([
    { unreadable: 'skip', runAsNonRoot: undefined, outcome: 'notApplicable', says: /images.unreadable is skip/ },
    { unreadable: 'harden', runAsNonRoot: true, outcome: 'applied', says: /hardened as if non-root \(images.unreadable: harden\)/ },
  ])('an unreadable image with images.unreadable: $unreadable', ({ unreadable: choice, runAsNonRoot, outcome, says }) => {
    const result = run(unreadable, { images: { unreadable: choice } });
    expect(result.sc.runAsNonRoot).toBe(runAsNonRoot);
    expect(result.outcome).toBe(outcome);
    expect(result.warnings).toMatch(says);
  });

  test('an unreadable image with defaultRunAsUser gets that uid whatever images.unreadable says', () => {
    expect(run(unreadable, { defaultRunAsUser: 65532 }).sc).toMatchObject({ runAsUser: 65532, runAsNonRoot: true });
  });

  test('images not resolved: as before images were read', () => {
    expect(run(undefined).sc.runAsNonRoot).toBe(true);
  });

  test('the record names the digest the decision was based on', () => {
    expect(run(found('1000')).decision.containers[0]?.image).toEqual({ reference: IMAGE, digest: 'sha256:abc' });
  });

  test("a non-root image's VOLUMEs get writable emptyDirs; a root image's do not", () => {
    const nonRoot = run(found('1000', ['/data', '/proc/x']));
    expect(nonRoot.result.spec.containers?.[0]?.volumeMounts?.map((m) => m.mountPath)).toEqual(['/tmp', '/data']);
    const root = run(found('', ['/data']));
    expect(root.result.spec.containers?.[0]?.volumeMounts?.map((m) => m.mountPath)).toEqual(['/tmp']);
  });
});
