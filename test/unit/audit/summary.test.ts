import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { buildDecisionRecord } from '../../../src/audit/record.js';
import { forEachLine } from '../../../src/audit/read-log.js';
import { AuditSummary } from '../../../src/audit/summary.js';
import { formatSummary, summarizeFiles } from '../../../src/cli/audit-summary.js';
import { reviewAdmission } from '../../../src/engine/review.js';
import { container, createRequest, pod, policy } from '../../helpers/pods.js';

/** A real decision line, as the server writes it. */
function line(object: unknown, options: { time: string; namespace?: string; mode?: string; extra?: Record<string, unknown> }): string {
  const request = createRequest(object, { namespace: options.namespace ?? 'team-a' });
  const decision = reviewAdmission(request, { policy: policy({ mode: options.mode ?? 'enforce' }) });
  return JSON.stringify({ time: options.time, type: 'decision', level: 'info', ...buildDecisionRecord(request, decision, [], 0.3), ...options.extra });
}

const exempted = pod({ containers: [container('app'), container('agent')] }, { annotations: { 'container.pod-hardener.io/agent': 'runAsNonRoot,readOnlyRootFilesystem', 'pod-hardener.io/exempt-reason': 'vendor agent' } });
const refused = pod({}, { annotations: { 'pod-hardener.io/exempt': 'privileged' } });

function sampleLog(): string[] {
  return [
    '{"time":"2026-11-20T08:00:00.000Z","type":"operational","level":"info","message":"pod-hardener is serving"}',
    line(pod(), { time: '2026-11-20T09:15:00.000Z' }),
    line(exempted, { time: '2026-11-20T10:30:00.000Z', namespace: 'payments' }),
    'this line is not JSON {',
    line(pod(), { time: '2026-11-21T11:00:00.000Z', namespace: 'kube-system' }),
    line(pod(), { time: '2026-11-21T12:00:00.000Z', mode: 'audit' }),
    line(pod({ containers: [container('app', { securityContext: { runAsUser: 0 } })] }), { time: '2026-11-21T12:30:00.000Z' }),
    '',
  ];
}

describe('audit-summary', () => {
  test('a mode named like an Object.prototype key in a hostile log line is counted as a name', () => {
    const summary = new AuditSummary('day');
    for (const mode of ['constructor', '__proto__', 'toString', 'constructor']) summary.addLine(line(pod(), { time: '2026-11-21T12:00:00.000Z', extra: { mode } }));
    const modes = summary.report().modes;
    expect(Object.getPrototypeOf(modes)).toBe(Object.prototype);
    expect(Object.entries(modes)).toEqual([
      ['constructor', 2],
      ['__proto__', 1],
      ['toString', 1],
    ]);
  });

  test('counts outcomes, changes, exemptions, skips and time buckets; skips and counts other lines', () => {
    const summary = new AuditSummary('day');
    for (const text of sampleLog()) summary.addLine(text);
    const report = summary.report();
    expect(report).toMatchObject({ lines: 8, decisionRecords: 5, skippedLines: 3, notJsonLines: 1, firstTime: '2026-11-20T09:15:00.000Z', lastTime: '2026-11-21T12:30:00.000Z' });
    expect(report.outcomes).toEqual({ patched: 3, unchanged: 1, exempt: 0, skipped: 1, error: 0 });
    expect(report.modes).toEqual({ enforce: 4, audit: 1 });
    expect(report.changesByControl.find((c) => c.control === 'capabilities')).toEqual({ control: 'capabilities', reviews: 3, containers: 4 });
    expect(report.changesByControl.find((c) => c.control === 'runAsNonRoot')).toEqual({ control: 'runAsNonRoot', reviews: 2, containers: 2 });
    expect(report.exemptions).toEqual([
      { namespace: 'payments', control: 'runAsNonRoot', reason: 'vendor agent', containers: 1, reviews: 1 },
      { namespace: 'payments', control: 'readOnlyRootFilesystem', reason: 'vendor agent', containers: 1, reviews: 1 },
    ].sort((a, b) => a.control.localeCompare(b.control)));
    expect(report.skippedReviews).toEqual([{ reason: 'namespace "kube-system" is excluded', count: 1 }]);
    expect(report.notApplicable).toEqual([{ control: 'runAsNonRoot', reason: expect.stringMatching(/uid 0/), containers: 1 }]);
    expect(report.timeline).toEqual([
      { period: '2026-11-20', patched: 2, unchanged: 0, exempt: 0, skipped: 0, error: 0 },
      { period: '2026-11-21', patched: 1, unchanged: 1, exempt: 0, skipped: 1, error: 0 },
    ]);
  });

  test('refused exemptions are listed with their reason', () => {
    const summary = new AuditSummary();
    const request = createRequest(refused);
    const decision = reviewAdmission(request, { policy: policy({ exemptions: { allowedControls: ['readOnlyRootFilesystem'] } }) });
    summary.addLine(JSON.stringify({ time: '2026-11-22T00:00:00Z', type: 'decision', ...buildDecisionRecord(request, decision, [], 1) }));
    expect(summary.report().refusedExemptions).toEqual([{ namespace: 'team-a', control: 'privileged', reason: 'the policy does not allow exempting this control', count: 1 }]);
  });

  test('hour buckets', () => {
    const summary = new AuditSummary('hour');
    for (const text of sampleLog()) summary.addLine(text);
    expect(summary.report().timeline.map((t) => t.period)).toEqual(['2026-11-20T09:00', '2026-11-20T10:00', '2026-11-21T11:00', '2026-11-21T12:00']);
  });

  test('plain and gzipped files give the same counts, and the text output names every section', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ph-summary-'));
    const text = `${sampleLog().join('\n')}\n`;
    writeFileSync(join(directory, 'decisions.log'), text);
    writeFileSync(join(directory, 'decisions.log.1.gz'), gzipSync(text));
    const both = await summarizeFiles([join(directory, 'decisions.log'), join(directory, 'decisions.log.1.gz')], 'day');
    expect(both.decisionRecords).toBe(10);
    expect(both.outcomes.patched).toBe(6);
    const output = formatSummary(both);
    for (const heading of ['Outcomes', 'Changes by control', 'Exemptions by namespace, control and reason', 'Skipped reviews', 'Outcomes over time']) expect(output).toContain(heading);
    expect(output).toMatch(/payments\s+readOnlyRootFilesystem\s+vendor agent\s+2\s+2/);
  });

  test('an unreadable or corrupt file is an error that names it', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ph-summary-'));
    await expect(summarizeFiles([join(directory, 'missing.log')], 'day')).rejects.toThrow(/missing.log: cannot read: ENOENT/);
    writeFileSync(join(directory, 'truncated.gz'), gzipSync(sampleLog().join('\n')).subarray(0, 60));
    await expect(summarizeFiles([join(directory, 'truncated.gz')], 'day')).rejects.toThrow(/truncated.gz: cannot read: unexpected end of file/);
  });

  test('streams: how far reading runs ahead of summarising does not grow with the length of the log', async () => {
    const record = line(pod(), { time: '2026-11-20T09:15:00.000Z' });
    /** Summarises `total` lines produced lazily; returns the most lines ever produced but not yet summarised. */
    const run = async (total: number): Promise<number> => {
      let produced = 0;
      let consumed = 0;
      let maxAhead = 0;
      const source = new Readable({
        read() {
          for (let i = 0; i < 100 && produced < total; i += 1, produced += 1) this.push(`${record}\n`);
          maxAhead = Math.max(maxAhead, produced - consumed);
          if (produced >= total) this.push(null);
        },
      });
      const summary = new AuditSummary();
      await forEachLine(source, (text) => {
        summary.addLine(text);
        consumed += 1;
      });
      expect(summary.report().decisionRecords).toBe(total);
      return maxAhead;
    };
    const short = await run(20_000);
    const long = await run(200_000); // about 160 MB of log
    expect(record.length * 200_000).toBeGreaterThan(100 * 1024 * 1024);
    // Reading a log whole would put every line ahead of the summary; streaming holds only what the
    // stream buffers hold, the same for a log ten times as long.
    expect(long).toBeLessThan(5_000);
    expect(long).toBeLessThanOrEqual(short * 2);
  }, 60_000);
});
