import { annotationKeys } from '../../../src/engine/annotations.js';
import { CONTROL_IDS } from '../../../src/engine/control-ids.js';
import { findingLines } from '../../../src/admission/warnings.js';
import { readExemptions, type ExemptionRules } from '../../../src/engine/exemptions.js';

const keys = annotationKeys('pod-hardener.io');
const open: ExemptionRules = { requireReason: false, allowedControls: CONTROL_IDS, namespace: { allowed: true } };

describe('exemption annotations', () => {
  test('"all" on the pod exempts every control for every container', () => {
    const result = readExemptions({ 'pod-hardener.io/exempt': 'all' }, ['app', 'web'], keys, open);
    for (const id of CONTROL_IDS) expect(result.isExempt('web', id)).toBe(true);
  });

  test('a container annotation exempts only that container', () => {
    const result = readExemptions({ 'container.pod-hardener.io/web': 'capabilities, readOnlyRootFilesystem' }, ['app', 'web'], keys, open);
    expect(result.isExempt('web', 'capabilities')).toBe(true);
    expect(result.isExempt('web', 'readOnlyRootFilesystem')).toBe(true);
    expect(result.isExempt('web', 'privileged')).toBe(false);
    expect(result.isExempt('app', 'capabilities')).toBe(false);
  });

  test('ids are matched without regard to case or spaces', () => {
    const result = readExemptions({ 'pod-hardener.io/exempt': ' ReadOnlyRootFilesystem ,SECCOMPPROFILE' }, ['app'], keys, open);
    expect(result.isExempt('app', 'readOnlyRootFilesystem')).toBe(true);
    expect(result.isExempt('app', 'seccompProfile')).toBe(true);
    expect(findingLines(result.findings)).toEqual([]);
  });

  test('unknown ids are a warning, not a failure', () => {
    const result = readExemptions({ 'pod-hardener.io/exempt': 'capabilities,hostNetwork' }, ['app'], keys, open);
    expect(result.isExempt('app', 'capabilities')).toBe(true);
    expect(findingLines(result.findings)).toEqual([expect.stringContaining('unknown control "hostNetwork" ignored')]);
  });

  test('an annotation for a container the pod does not have is a warning', () => {
    const result = readExemptions({ 'container.pod-hardener.io/ghost': 'all' }, ['app'], keys, open);
    expect(findingLines(result.findings)).toEqual([expect.stringContaining('no container named "ghost"')]);
  });

  test('requireReason refuses exemptions without a reason', () => {
    const rules = { ...open, requireReason: true };
    const without = readExemptions({ 'pod-hardener.io/exempt': 'capabilities' }, ['app'], keys, rules);
    expect(without.isExempt('app', 'capabilities')).toBe(false);
    expect(without.refused).toEqual([{ control: 'capabilities', why: expect.stringContaining('requires a reason') }]);
    expect(findingLines(without.findings)).toEqual([expect.stringContaining('exemption of capabilities for the pod refused')]);

    const withReason = readExemptions({ 'pod-hardener.io/exempt': 'capabilities', 'pod-hardener.io/exempt-reason': 'JIRA-42: legacy agent' }, ['app'], keys, rules);
    expect(withReason.isExempt('app', 'capabilities')).toBe(true);
    expect(withReason.reason).toBe('JIRA-42: legacy agent');
  });

  test('allowedControls limits what may be exempted, and "all" expands only to those', () => {
    const rules: ExemptionRules = { ...open, allowedControls: ['readOnlyRootFilesystem'] };
    const result = readExemptions({ 'container.pod-hardener.io/app': 'all' }, ['app'], keys, rules);
    expect(result.isExempt('app', 'readOnlyRootFilesystem')).toBe(true);
    expect(result.isExempt('app', 'privileged')).toBe(false);
    expect(result.refused.map((r) => r.control)).toEqual(CONTROL_IDS.filter((id) => id !== 'readOnlyRootFilesystem'));
    expect(result.refused.every((r) => r.container === 'app')).toBe(true);
    expect(findingLines(result.findings)).toHaveLength(1);
  });

  test('a namespace that may not use exemptions refuses them all', () => {
    const rules: ExemptionRules = { ...open, namespace: { allowed: false, why: 'namespace "x" does not allow exemptions' } };
    const result = readExemptions({ 'pod-hardener.io/exempt': 'all' }, ['app'], keys, rules);
    expect(CONTROL_IDS.some((id) => result.isExempt('app', id))).toBe(false);
    expect(findingLines(result.findings)[0]).toMatch(/refused: namespace "x" does not allow exemptions/);
  });

  test('the prefix is configurable', () => {
    const custom = annotationKeys('security.example.com');
    const result = readExemptions({ 'container.security.example.com/app': 'privileged', 'pod-hardener.io/exempt': 'all' }, ['app'], custom, open);
    expect(result.isExempt('app', 'privileged')).toBe(true);
    expect(result.isExempt('app', 'capabilities')).toBe(false);
  });
});
