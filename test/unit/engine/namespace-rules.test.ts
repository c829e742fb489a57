import { namespaceDecision, type NamespaceFacts } from '../../../src/engine/namespace-rules.js';
import { pod, policy, review } from '../../helpers/pods.js';

const ns = (labels: Record<string, string> = {}, annotations: Record<string, string> = {}): NamespaceFacts => ({ labels, annotations });
const governed = policy({
  namespaces: { modeLabel: 'pod-hardener.io/mode', excludeLabel: 'pod-hardener.io/exclude' },
  exemptions: { namespaceLabel: 'pod-hardener.io/exemptions' },
});

describe('namespace rules', () => {
  test.each([
    { name: 'a label sets the mode', facts: ns({ 'pod-hardener.io/mode': 'audit' }), mode: 'audit' },
    { name: 'so does an annotation', facts: ns({}, { 'pod-hardener.io/mode': 'fill' }), mode: 'fill' },
    { name: 'a label wins over an annotation', facts: ns({ 'pod-hardener.io/mode': 'fill' }, { 'pod-hardener.io/mode': 'audit' }), mode: 'fill' },
    { name: 'no label: the policy mode', facts: ns(), mode: 'enforce' },
    { name: 'unknown namespace: the policy mode', facts: undefined, mode: 'enforce' },
  ])('$name', ({ facts, mode }) => {
    expect(namespaceDecision(governed, 'team', facts).mode).toBe(mode);
  });

  test('an invalid mode value is a warning, and the policy mode applies', () => {
    const decision = namespaceDecision(governed, 'team', ns({ 'pod-hardener.io/mode': 'off' }));
    expect(decision.mode).toBe('enforce');
    expect(decision.findings.map((f) => f.detail)).toEqual([expect.stringMatching(/pod-hardener.io\/mode must be one of enforce, fill, audit/)]);
  });

  test.each([
    { facts: ns({ 'pod-hardener.io/exclude': 'true' }), excluded: true },
    { facts: ns({}, { 'pod-hardener.io/exclude': 'true' }), excluded: true },
    { facts: ns({ 'pod-hardener.io/exclude': 'false' }), excluded: false },
    { facts: undefined, excluded: false },
  ])('exclusion by label: $facts → $excluded', ({ facts, excluded }) => {
    expect(namespaceDecision(governed, 'team', facts).excluded !== undefined).toBe(excluded);
  });

  test.each([
    { facts: ns({ 'pod-hardener.io/exemptions': 'true' }), allowed: true },
    { facts: ns({}, { 'pod-hardener.io/exemptions': 'approved by security, SEC-12' }), allowed: true },
    { facts: ns({ 'pod-hardener.io/exemptions': 'false' }), allowed: false },
    { facts: ns(), allowed: false },
    { facts: undefined, allowed: false },
  ])('exemptions need the namespace label or annotation: $facts → $allowed', ({ facts, allowed }) => {
    expect(namespaceDecision(governed, 'team', facts).exemptions.allowed).toBe(allowed);
  });

  test('a review in an audit-labelled namespace changes nothing and reports the mode', () => {
    const decision = review(pod(), { namespaces: { modeLabel: 'pod-hardener.io/mode' } }, { namespace: ns({ 'pod-hardener.io/mode': 'audit' }) });
    expect(decision).toMatchObject({ mode: 'audit', outcome: 'unchanged', patch: [] });
    expect(decision.wouldPatch?.length).toBeGreaterThan(0);
  });
});
