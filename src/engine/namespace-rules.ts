/**
 * What the Namespace object decides, under the policy: whether its pods are
 * touched at all, their mode, and whether they may use exemptions. Pure: the
 * namespace's labels and annotations come in as facts, or as undefined when
 * they are not known (no cluster, or the cache has not seen the namespace).
 */
import { MODES, type Mode, type Policy } from '../config/policy.js';
import type { ExemptionRules } from './exemptions.js';
import type { Finding } from './findings.js';
import { own } from './own.js';

export interface NamespaceFacts {
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
}

export interface NamespaceDecision {
  /** Why the namespace's pods are not touched, if they are not. */
  excluded?: string;
  mode: Mode;
  exemptions: ExemptionRules['namespace'];
  findings: Finding[];
}

/** A label wins over an annotation of the same key. */
function valueOf(facts: NamespaceFacts, key: string): string | undefined {
  return own(facts.labels, key) ?? own(facts.annotations, key);
}

export function namespaceDecision(policy: Policy, namespace: string, facts: NamespaceFacts | undefined, extraExcluded: readonly string[] = []): NamespaceDecision {
  const decision: NamespaceDecision = { mode: policy.mode, exemptions: { allowed: true }, findings: [] };
  if (policy.excludedNamespaces.includes(namespace) || extraExcluded.includes(namespace)) {
    decision.excluded = `namespace "${namespace}" is excluded`;
    return decision;
  }
  const { excludeLabel, modeLabel } = policy.namespaces;
  if (facts && excludeLabel !== undefined && valueOf(facts, excludeLabel) === 'true') {
    decision.excluded = `namespace "${namespace}" is excluded by its ${excludeLabel} label`;
    return decision;
  }
  if (facts && modeLabel !== undefined) {
    const value = valueOf(facts, modeLabel);
    if (value !== undefined) {
      if ((MODES as readonly string[]).includes(value)) decision.mode = value as Mode;
      else decision.findings.push({ kind: 'namespace', detail: `namespace "${namespace}": ${modeLabel} must be one of ${MODES.join(', ')}; the policy's mode ${policy.mode} applies` });
    }
  }
  const label = policy.exemptions.namespaceLabel;
  if (label !== undefined) {
    if (!facts) decision.exemptions = { allowed: false, why: `namespace "${namespace}" could not be checked for the label or annotation ${label}` };
    else {
      const value = valueOf(facts, label);
      if (value === undefined || value === 'false') decision.exemptions = { allowed: false, why: `namespace "${namespace}" does not allow exemptions (no label or annotation ${label})` };
    }
  }
  return decision;
}
