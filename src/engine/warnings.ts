/**
 * Warnings go back to the user through the API server, which prints them in
 * kubectl. The API server truncates each to 256 characters once the total
 * passes 4 KiB (k8s.io/apiserver pkg/endpoints/filters/warning.go), so keep
 * them short, few, and printable.
 */
const PREFIX = 'pod-hardener: ';
export const MAX_WARNING_LENGTH = 256;
export const MAX_WARNINGS = 12;

function clean(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  const full = PREFIX + printable;
  return full.length <= MAX_WARNING_LENGTH ? full : `${full.slice(0, MAX_WARNING_LENGTH - 3)}...`;
}

export function finalizeWarnings(warnings: readonly string[]): string[] {
  const unique = [...new Set(warnings)];
  if (unique.length <= MAX_WARNINGS) return unique.map(clean);
  const shown = unique.slice(0, MAX_WARNINGS - 1).map(clean);
  shown.push(clean(`${unique.length - shown.length} more warnings; see the decision log`));
  return shown;
}

/** "a", "b" and 3 more — container lists in warnings stay short. */
export function quoteList(names: readonly string[], max = 3): string {
  const quoted = names.slice(0, max).map((name) => `"${name}"`);
  const rest = names.length - quoted.length;
  return rest > 0 ? `${quoted.join(', ')} and ${rest} more` : quoted.join(', ');
}
