/**
 * Reads the exemption annotations of a pod and decides, under the policy's
 * governance rules, which of them are honoured. Pure: no I/O.
 */
import { CONTROL_IDS, parseControlId, type ControlId } from './control-ids.js';
import type { AnnotationKeys } from './annotations.js';
import type { Finding } from './findings.js';
import { checkWritablePath, forbiddenWritablePath } from './writable-paths.js';

export interface ExemptionRules {
  requireReason: boolean;
  allowedControls: readonly ControlId[];
  /**
   * Whether the pod's namespace may use exemptions at all, and if not, why
   * (e.g. the namespace lacks the label the policy asks for).
   */
  namespace: { allowed: true } | { allowed: false; why: string };
}

export interface RefusedExemption {
  /** The container the annotation names; absent for the pod-wide annotation. */
  container?: string;
  control: ControlId;
  why: string;
}

export interface Exemptions {
  /** The exempt-reason annotation, if any. */
  reason: string | undefined;
  /** Honoured exemptions: per container name, and for the whole pod under "". */
  isExempt(containerName: string, control: ControlId): boolean;
  /** Exemptions asked for but refused by the governance rules. */
  refused: RefusedExemption[];
  /** Extra paths to mount writable, validated and normalised. */
  writablePaths: string[];
  /** Problems a person should hear about: unknown ids, unknown containers, refused exemptions, bad or refused paths. */
  findings: Finding[];
}

const MAX_WRITABLE_PATHS = 16;

/** Splits "a, b,c" into trimmed, non-empty items. */
function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Turns an exemption annotation value into control ids; unknown ids are reported, not fatal. */
function parseControls(value: string, where: string, findings: Finding[]): Set<ControlId> {
  const controls = new Set<ControlId>();
  for (const item of splitList(value)) {
    if (item.toLowerCase() === 'all') {
      for (const id of CONTROL_IDS) controls.add(id);
      continue;
    }
    const id = parseControlId(item);
    if (id) controls.add(id);
    else findings.push({ kind: 'annotation', detail: `${where}: unknown control "${truncate(item, 40)}" ignored; known controls: all, ${CONTROL_IDS.join(', ')}` });
  }
  return controls;
}

function truncate(text: string, max: number): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length <= max ? printable : `${printable.slice(0, max - 1)}…`;
}

function parseWritablePaths(value: string | undefined, key: string, findings: Finding[]): string[] {
  if (value === undefined) return [];
  const paths: string[] = [];
  for (const path of splitList(value)) {
    const problem = checkWritablePath(path);
    const forbidden = problem === undefined ? forbiddenWritablePath(path) : undefined;
    if (problem) {
      findings.push({ kind: 'annotation', detail: `${key}: path "${truncate(path, 60)}" ignored: ${problem}` });
    } else if (forbidden) {
      findings.push({ kind: 'writablePathRefused', detail: `${key}: path "${truncate(path, 60)}" refused: ${forbidden}` });
    } else if (!paths.includes(path) && path !== '/tmp') {
      paths.push(path);
    }
  }
  if (paths.length > MAX_WRITABLE_PATHS) {
    findings.push({ kind: 'annotation', detail: `${key}: only the first ${MAX_WRITABLE_PATHS} paths are used` });
    paths.length = MAX_WRITABLE_PATHS;
  }
  return paths;
}

export function readExemptions(
  annotations: Readonly<Record<string, string>>,
  containerNames: Iterable<string>,
  keys: AnnotationKeys,
  rules: ExemptionRules,
): Exemptions {
  const findings: Finding[] = [];
  const refused: RefusedExemption[] = [];
  // One pass over the annotations finds ours: most pods have none, and few annotations at all.
  let podValue: string | undefined;
  let reasonValue: string | undefined;
  let writablePathsValue: string | undefined;
  let containerKeys: string[] | undefined;
  for (const key in annotations) {
    if (!Object.hasOwn(annotations, key)) continue;
    if (key === keys.exempt) podValue = annotations[key];
    else if (key === keys.exemptReason) reasonValue = annotations[key];
    else if (key === keys.writablePaths) writablePathsValue = annotations[key];
    else if (key.startsWith(keys.containerPrefix)) (containerKeys ??= []).push(key);
  }
  const rawReason = reasonValue?.trim();
  const reason = rawReason === '' ? undefined : rawReason;
  const granted = new Map<string, Set<ControlId>>();

  // Under key "" the pod-wide grants; container names are never empty.
  const consider = (container: string | undefined, where: string, value: string): void => {
    const honoured = new Set<ControlId>();
    for (const control of parseControls(value, where, findings)) {
      const why = refusal(control, reason, rules);
      if (why) refused.push(container === undefined ? { control, why } : { container, control, why });
      else honoured.add(control);
    }
    granted.set(container ?? '', honoured);
  };

  if (podValue !== undefined) consider(undefined, keys.exempt, podValue);

  if (containerKeys) {
    const known = new Set(containerNames);
    for (const key of containerKeys) {
      const name = key.slice(keys.containerPrefix.length);
      if (!known.has(name)) {
        findings.push({ kind: 'annotation', detail: `${key}: the pod has no container named "${truncate(name, 63)}"; annotation ignored` });
        continue;
      }
      consider(name, key, annotations[key] as string);
    }
  }

  for (const { container, control, why } of refused) {
    findings.push({ kind: 'exemptionRefused', ...(container === undefined ? {} : { container }), controls: [control], detail: why });
  }

  const podWide = granted.get('') ?? new Set<ControlId>();
  return {
    reason,
    // Asked for every container and control of every review: most pods have no exemption at all.
    isExempt: granted.size === 0 ? () => false : (containerName, control) => podWide.has(control) || (granted.get(containerName)?.has(control) ?? false),
    refused,
    writablePaths: parseWritablePaths(writablePathsValue, keys.writablePaths, findings),
    findings,
  };
}

function refusal(control: ControlId, reason: string | undefined, rules: ExemptionRules): string | undefined {
  if (!rules.namespace.allowed) return rules.namespace.why;
  if (!rules.allowedControls.includes(control)) return 'the policy does not allow exempting this control';
  if (rules.requireReason && reason === undefined) return 'the policy requires a reason (exempt-reason annotation)';
  return undefined;
}
