/**
 * The six controls. Their ids are a stable interface: they appear in exemption
 * annotations, the policy file, audit records and metric labels.
 */
export const CONTROL_IDS = [
  'capabilities',
  'allowPrivilegeEscalation',
  'privileged',
  'runAsNonRoot',
  'readOnlyRootFilesystem',
  'seccompProfile',
] as const;

export type ControlId = (typeof CONTROL_IDS)[number];

const byLowerCase = new Map<string, ControlId>(CONTROL_IDS.map((id) => [id.toLowerCase(), id]));

/** Resolves a control id as a person may type it (case and surrounding space do not matter). */
export function parseControlId(text: string): ControlId | undefined {
  return byLowerCase.get(text.trim().toLowerCase());
}

export function isControlId(text: string): text is ControlId {
  return (CONTROL_IDS as readonly string[]).includes(text);
}
