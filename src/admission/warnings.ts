/**
 * The engine's findings rendered as the answer's `warnings`, which the API
 * server passes on and kubectl prints. The API server truncates each to 256
 * characters once the total passes 4 KiB (k8s.io/apiserver
 * pkg/endpoints/filters/warning.go), so they are kept short, few and
 * printable; findings of one kind and reason are grouped into one line. The
 * decision record keeps every finding in full, whatever is cut here.
 */
import { CONTROL_IDS, type ControlId } from '../engine/control-ids.js';
import type { Finding } from '../engine/findings.js';

const PREFIX = 'pod-hardener: ';
export const MAX_WARNING_LENGTH = 256;
export const MAX_WARNINGS = 12;

function clean(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  const full = PREFIX + printable;
  return full.length <= MAX_WARNING_LENGTH ? full : `${full.slice(0, MAX_WARNING_LENGTH - 3)}...`;
}

/** "a", "b" and 3 more — container lists in warnings stay short. */
export function quoteList(names: readonly string[], max = 3): string {
  const quoted = names.slice(0, max).map((name) => `"${name}"`);
  const rest = names.length - quoted.length;
  return rest > 0 ? `${quoted.join(', ')} and ${rest} more` : quoted.join(', ');
}

/** Findings that share a line: the same reason, for several containers or controls. */
interface Group {
  render(): string;
  add(finding: Finding): void;
}

function controlsIn(set: ReadonlySet<ControlId>): string {
  return CONTROL_IDS.filter((id) => set.has(id)).join(', ');
}

function notApplicableGroup(why: string): Group {
  const containers = new Set<string>();
  const controls = new Set<ControlId>();
  return {
    add(finding) {
      if (finding.container !== undefined) containers.add(finding.container);
      for (const id of finding.controls ?? []) controls.add(id);
    },
    render: () => `${containers.size === 1 ? 'container' : 'containers'} ${quoteList([...containers])}: ${controlsIn(controls)} not applied: ${why}`,
  };
}

function refusedGroup(container: string | undefined, why: string): Group {
  const controls: ControlId[] = [];
  return {
    add(finding) {
      controls.push(...(finding.controls ?? []));
    },
    render: () => `exemption of ${controls.join(', ')} for ${container === undefined ? 'the pod' : `container "${container}"`} refused: ${why}`,
  };
}

function single(text: string): Group {
  return { add: () => undefined, render: () => text };
}

/** The line a finding belongs to (its key), and how to start that line; undefined: not shown to kubectl. */
function lineOf(finding: Finding): [string, () => Group] | undefined {
  switch (finding.kind) {
    case 'notApplicable':
      return [JSON.stringify(['notApplicable', finding.detail]), () => notApplicableGroup(finding.detail)];
    case 'exemptionRefused':
      return [JSON.stringify(['refused', finding.container ?? null, finding.detail]), () => refusedGroup(finding.container, finding.detail)];
    case 'malformedPod':
      return [JSON.stringify(['text', finding.detail]), () => single(`the pod could not be read (${finding.detail}); not hardened`)];
    case 'imageVolume':
      return undefined;
    default:
      return [JSON.stringify(['text', finding.detail]), () => single(finding.detail)];
  }
}

/** One line per group of findings, in full (the CLI prints these; the answer's warnings are cut from them). */
export function findingLines(findings: readonly Finding[]): string[] {
  const groups = new Map<string, Group>();
  for (const finding of findings) {
    const line = lineOf(finding);
    if (!line) continue;
    const [key, start] = line;
    let group = groups.get(key);
    if (!group) {
      group = start();
      groups.set(key, group);
    }
    group.add(finding);
  }
  return [...groups.values()].map((group) => group.render());
}

/** The `warnings` of an answer: one line per group of findings, at most MAX_WARNINGS, each at most MAX_WARNING_LENGTH. */
export function renderWarnings(findings: readonly Finding[]): string[] {
  return limitWarnings(findingLines(findings));
}

/** Any list of warning texts, made printable, short and few. */
export function limitWarnings(warnings: readonly string[]): string[] {
  const unique = [...new Set(warnings)];
  if (unique.length <= MAX_WARNINGS) return unique.map(clean);
  const shown = unique.slice(0, MAX_WARNINGS - 1).map(clean);
  shown.push(clean(`${unique.length - shown.length} more warnings; see the decision log`));
  return shown;
}
