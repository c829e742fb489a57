/**
 * Property: for random workloads written in random but consistent styles,
 * hardening keeps every line the patch does not carry, writes what it adds in
 * the document's own layout, says exactly what the engine's patch says, and
 * is idempotent.
 */
import fc from 'fast-check';
import { Document, isMap, isScalar, isSeq, parseDocument, visit, type Node, type Pair } from 'yaml';
import type { Pod } from '../../../src/engine/pod.js';
import { hardenManifests, ManifestError, type HardenResult } from '../../../src/manifests/harden-manifests.js';
import { podArb } from '../../helpers/arbitraries.js';
import { policy } from '../../helpers/pods.js';
import { documentsOf, expectedDocuments, fileOperations } from './hardened-text.js';
import { unexplainedLineChanges } from './line-changes.js';

const KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'] as const;

/** The workload of `kind` whose pod template is `pod`. */
function workload(kind: (typeof KINDS)[number], pod: Pod): Record<string, unknown> {
  if (kind === 'Pod') return pod as unknown as Record<string, unknown>;
  const template = { metadata: { labels: { app: 'w' }, annotations: pod.metadata?.annotations }, spec: pod.spec };
  const metadata = { name: 'w', namespace: 'team-a' };
  if (kind === 'CronJob') return { apiVersion: 'batch/v1', kind, metadata, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template } } } };
  if (kind === 'Job') return { apiVersion: 'batch/v1', kind, metadata, spec: { template } };
  return { apiVersion: 'apps/v1', kind, metadata, spec: { selector: { matchLabels: { app: 'w' } }, template } };
}

interface Style {
  json: boolean;
  indent: 2 | 4;
  indentSeq: boolean;
  /** Sequences of scalars and small maps of scalars written in flow style. */
  flowLeaves: boolean;
  /** Every third scalar value gets a comment after it. */
  comments: boolean;
  crlf: boolean;
  finalNewline: boolean;
  /** A Service document before the workload, Helm-style. */
  leadingDocument: boolean;
  /** Objects the generator shares (the same seccompProfile twice…) written once with an anchor and then as aliases. */
  anchors: boolean;
}

const styleArb: fc.Arbitrary<Style> = fc.record({
  json: fc.boolean(),
  indent: fc.constantFrom(2 as const, 4 as const),
  indentSeq: fc.boolean(),
  flowLeaves: fc.boolean(),
  comments: fc.boolean(),
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
  leadingDocument: fc.boolean(),
  anchors: fc.boolean(),
});

function render(object: Record<string, unknown>, style: Style): string {
  let text: string;
  if (style.json) {
    text = `${JSON.stringify(object, null, style.indent)}\n`;
  } else {
    // The yaml package writes objects the generator shares as an anchor and aliases; a JSON copy shares none.
    const doc = new Document(style.anchors ? object : JSON.parse(JSON.stringify(object)), { version: '1.1' });
    let scalars = 0;
    visit(doc, {
      Seq: (_, seq) => void (style.flowLeaves && seq.items.every(isScalar) ? (seq.flow = true) : undefined),
      Map: (_, map) => void (style.flowLeaves && map.items.length <= 2 && map.items.every((p) => isScalar(p.value)) ? (map.flow = true) : undefined),
      Pair: (_, pair) => void (style.comments && isScalar(pair.value) && (scalars += 1) % 3 === 0 ? (pair.value.comment = ' note') : undefined),
    });
    text = doc.toString({ indent: style.indent, indentSeq: style.indentSeq, lineWidth: 0 });
    if (style.leadingDocument) text = `# Source: chart/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: w\n---\n# Source: chart/templates/workload.yaml\n${text}`;
  }
  if (!style.finalNewline) text = text.replace(/\n$/, '');
  return style.crlf ? text.replace(/\n/g, '\r\n') : text;
}

const column = (text: string, offset: number): number => offset - (text.lastIndexOf('\n', offset - 1) + 1);

/** How far block maps and sequences sit from their key: "map+2", "seq+0"… — the layout a document uses. */
function layout(text: string): Set<string> {
  const found = new Set<string>();
  const doc = parseDocument(text, { version: '1.1' });
  visit(doc, {
    Pair: (_, pair: Pair) => {
      const key = pair.key as Node | null;
      const value = pair.value;
      if (!key?.range || !(isMap(value) || isSeq(value)) || value.flow || value.items.length === 0) return;
      const first = value.items[0] as Node | Pair;
      const start = ('key' in first ? (first.key as Node).range?.[0] : first.range?.[0]) ?? 0;
      const at = isSeq(value) ? text.lastIndexOf('-', start - 1) : start;
      found.add(`${isSeq(value) ? 'seq' : 'map'}+${column(text, at) - column(text, key.range[0])}`);
    },
  });
  return found;
}

test('hardened documents differ from their input only in the lines the patch carries, in the input\'s own layout, and say what the patch says (or are refused where the patch would go through an alias)', () => {
  fc.assert(
    fc.property(podArb(), fc.constantFrom(...KINDS), styleArb, fc.constantFrom('enforce', 'fill', 'audit') , ({ pod }, kind, style, mode) => {
      const text = render(workload(kind, pod), style);
      const name = style.json ? 'generated.json' : 'generated.yaml';
      let result: HardenResult;
      try {
        result = hardenManifests([{ name, text }], policy({ mode }));
      } catch (error) {
        // Shared values the patch would change through an alias are refused, with the document named; nothing else is.
        expect(error).toBeInstanceOf(ManifestError);
        expect((error as Error).message).toMatch(/^generated\.yaml document \d \(\w+ \S+\): cannot write the hardening into the text: the change at \S+ (goes through the YAML alias|changes the YAML anchor)/);
        expect(text).toMatch(/&a\d+/);
        return;
      }
      const hardened = result.files[0]?.hardened ?? '';
      const operations = fileOperations(result, name);

      if (operations.length === 0) expect(hardened).toBe(text);
      expect(unexplainedLineChanges(text, hardened, operations)).toEqual([]);
      expect(documentsOf(hardened)).toEqual(expectedDocuments(text, name, result));
      if (style.crlf) expect(hardened.replace(/\r\n/g, '')).not.toContain('\n');
      expect(hardened.endsWith('\n')).toBe(text.endsWith('\n'));
      if (!style.json) for (const place of layout(hardened)) expect(layout(text)).toContain(place);

      const again = hardenManifests([{ name, text: hardened }], policy({ mode }));
      expect(again.changed).toBe(false);
      expect(again.files[0]?.hardened).toBe(hardened);
    }),
    { numRuns: 300 },
  );
});
