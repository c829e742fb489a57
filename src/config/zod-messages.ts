import type { z } from 'zod';

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '');
}

/** One line per problem, each naming the field, e.g. `exemptions.requireReason: expected true or false`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = fieldPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const fields = issue.keys.map((key) => (where === '' ? key : `${where}.${key}`));
      return `unknown field${fields.length > 1 ? 's' : ''} ${fields.map((f) => `"${f}"`).join(', ')}`;
    }
    return `${where === '' ? '(top level)' : where}: ${issue.message}`;
  });
}
