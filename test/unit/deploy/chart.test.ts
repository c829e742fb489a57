/** charts/pod-hardener as files: its README documents every value, and it installs the version this package is. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const chartFile = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../charts/pod-hardener/${name}`, import.meta.url)), 'utf8');

/** Paths the README's table lacks: a row documents a value whole; otherwise each of an object's keys needs one. */
function undocumented(value: unknown, path: string, rows: Set<string>): string[] {
  if (rows.has(path)) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length === 0) return [path];
  return Object.entries(value).flatMap(([key, child]) => undocumented(child, path ? `${path}.${key}` : key, rows));
}

test('every value of values.yaml has a row in the README\'s table, and every row a value', () => {
  const rows = new Set([...chartFile('README.md').matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1] as string));
  const values = parse(chartFile('values.yaml')) as Record<string, unknown>;
  expect(undocumented(values, '', rows)).toEqual([]);
  const exists = (path: string): boolean => path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], values) !== undefined;
  expect([...rows].filter((row) => !exists(row))).toEqual([]);
});

test('the chart\'s appVersion (the default image tag) is the package\'s version, as in manifests/', () => {
  const version = (JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { version: string }).version;
  expect((parse(chartFile('Chart.yaml')) as { appVersion: string }).appVersion).toBe(version);
  const kustomization = parse(readFileSync(fileURLToPath(new URL('../../../manifests/base/kustomization.yaml', import.meta.url)), 'utf8'));
  expect(kustomization.images).toEqual([{ name: 'pod-hardener', newName: 'pod-hardener', newTag: version }]);
});
