/** `pod-hardener audit-summary FILE...`: what auditors read. */
import { AuditSummary, type Bucket, type SummaryReport } from '../audit/summary.js';
import { forEachLine, openLog } from '../audit/read-log.js';
import { InputError } from './input-error.js';

export interface AuditSummaryOptions {
  output: 'text' | 'json';
  bucket: Bucket;
}


export async function summarizeFiles(files: readonly string[], bucket: Bucket): Promise<SummaryReport> {
  const summary = new AuditSummary(bucket);
  for (const file of files.length > 0 ? files : ['-']) {
    try {
      await forEachLine(await openLog(file), (line) => summary.addLine(line));
    } catch (error) {
      throw new InputError(`${file === '-' ? 'standard input' : file}: cannot read: ${(error as Error).message}`);
    }
  }
  return summary.report();
}

function table(headers: string[], rows: Array<Array<string | number>>): string {
  if (rows.length === 0) return '  (none)\n';
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.every((row) => typeof row[i] === 'number'));
  return cells
    .map((row) => `  ${row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd()}\n`)
    .join('');
}

export function formatSummary(report: SummaryReport): string {
  const parts: string[] = [];
  const span = report.firstTime ? `, ${report.firstTime} to ${report.lastTime}` : '';
  parts.push(`pod-hardener audit summary: ${report.decisionRecords} decision records${span}; ${report.skippedLines} other lines skipped (${report.notJsonLines} not JSON)\n`);
  parts.push('\nOutcomes\n' + table(['outcome', 'reviews'], Object.entries(report.outcomes).map(([o, n]) => [o, n])));
  parts.push('\nModes\n' + table(['mode', 'reviews'], Object.entries(report.modes).map(([m, n]) => [m, n])));
  parts.push('\nChanges by control (patched reviews)\n' + table(['control', 'pods', 'containers'], report.changesByControl.map((r) => [r.control, r.reviews, r.containers])));
  parts.push('\nExemptions by namespace, control and reason\n' + table(['namespace', 'control', 'reason', 'pods', 'containers'], report.exemptions.map((r) => [r.namespace, r.control, r.reason, r.reviews, r.containers])));
  parts.push('\nRefused exemptions\n' + table(['namespace', 'control', 'reason', 'count'], report.refusedExemptions.map((r) => [r.namespace, r.control, r.reason, r.count])));
  parts.push('\nSkipped reviews\n' + table(['reason', 'reviews'], report.skippedReviews.map((r) => [r.reason, r.count])));
  parts.push('\nControls not applied (would have broken the pod)\n' + table(['control', 'reason', 'containers'], report.notApplicable.map((r) => [r.control, r.reason, r.containers])));
  parts.push('\nOutcomes over time\n' + table(['period', 'patched', 'unchanged', 'exempt', 'skipped', 'error'], report.timeline.map((r) => [r.period, r.patched, r.unchanged, r.exempt, r.skipped, r.error])));
  return parts.join('');
}

export async function runAuditSummary(files: readonly string[], options: AuditSummaryOptions): Promise<string> {
  const report = await summarizeFiles(files, options.bucket);
  return options.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatSummary(report);
}
