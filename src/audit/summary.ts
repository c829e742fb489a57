/**
 * Aggregates decision records for auditors. Fed one log line at a time, it
 * keeps only counts, so a log of any length is summarised in bounded memory
 * (tables are capped at MAX_ROWS distinct keys; the rest is counted as
 * "(other)").
 */
import { CONTROL_IDS } from '../engine/control-ids.js';
import { DECISION_SCHEMA_VERSION } from './record.js';

export type Bucket = 'hour' | 'day';

const OUTCOMES = ['patched', 'unchanged', 'exempt', 'skipped', 'error'] as const;
type Outcome = (typeof OUTCOMES)[number];
const MAX_ROWS = 10_000;
const OTHER = '(other)';
const NO_REASON = '(no reason given)';

export interface SummaryReport {
  lines: number;
  decisionRecords: number;
  /** Lines that are not decision records: operational lines, other JSON, or not JSON at all. */
  skippedLines: number;
  notJsonLines: number;
  firstTime: string | null;
  lastTime: string | null;
  outcomes: Record<Outcome, number>;
  modes: Record<string, number>;
  /** Per control: reviews in which it changed at least one container, and containers changed. */
  changesByControl: Array<{ control: string; reviews: number; containers: number }>;
  exemptions: Array<{ namespace: string; control: string; reason: string; containers: number; reviews: number }>;
  refusedExemptions: Array<{ namespace: string; control: string; reason: string; count: number }>;
  skippedReviews: Array<{ reason: string; count: number }>;
  notApplicable: Array<{ control: string; reason: string; containers: number }>;
  timeline: Array<{ period: string } & Record<Outcome, number>>;
}

interface Row {
  keys: string[];
  counts: number[];
}

/** A counting table keyed by a tuple of strings, capped at MAX_ROWS keys. */
class Table {
  private readonly rows = new Map<string, Row>();
  constructor(private readonly width: number) {}

  add(keys: string[], ...increments: number[]): void {
    let id = JSON.stringify(keys);
    if (!this.rows.has(id) && this.rows.size >= MAX_ROWS) {
      keys = keys.map(() => OTHER);
      id = JSON.stringify(keys);
    }
    const row = this.rows.get(id) ?? { keys, counts: new Array<number>(this.width).fill(0) };
    increments.forEach((n, i) => (row.counts[i] = (row.counts[i] ?? 0) + n));
    this.rows.set(id, row);
  }

  /** Rows, largest first count first, then by keys. */
  sorted(): Row[] {
    return [...this.rows.values()].sort((a, b) => (b.counts[0] ?? 0) - (a.counts[0] ?? 0) || a.keys.join('\u0000').localeCompare(b.keys.join('\u0000')));
  }
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export class AuditSummary {
  private lines = 0;
  private decisions = 0;
  private notJson = 0;
  private firstTime: string | null = null;
  private lastTime: string | null = null;
  private readonly outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  /** By mode as the line says it: data from the log, so a Map (a "constructor" mode is just a name). */
  private readonly modes = new Map<string, number>();
  private readonly changes = new Table(2);
  private readonly exemptions = new Table(2);
  private readonly refused = new Table(1);
  private readonly skips = new Table(1);
  private readonly notApplicable = new Table(1);
  private readonly timeline = new Map<string, Record<Outcome, number>>();

  constructor(private readonly bucket: Bucket = 'day') {}

  addLine(line: string): void {
    this.lines += 1;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.notJson += 1;
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    if (record.type !== 'decision' || record.schemaVersion !== DECISION_SCHEMA_VERSION) return;
    if (!(OUTCOMES as readonly string[]).includes(record.outcome as string)) return;
    this.addRecord(record, record.outcome as Outcome);
  }

  private addRecord(record: Record<string, unknown>, outcome: Outcome): void {
    this.decisions += 1;
    this.outcomes[outcome] += 1;
    const mode = text(record.mode, 'unknown');
    this.modes.set(mode, (this.modes.get(mode) ?? 0) + 1);
    const namespace = text(record.namespace, '(none)');
    const time = typeof record.time === 'string' ? record.time : undefined;
    if (time) {
      if (this.firstTime === null || time < this.firstTime) this.firstTime = time;
      if (this.lastTime === null || time > this.lastTime) this.lastTime = time;
      const period = this.bucket === 'hour' ? `${time.slice(0, 13)}:00` : time.slice(0, 10);
      if (this.timeline.has(period) || this.timeline.size < MAX_ROWS) {
        const counts = this.timeline.get(period) ?? (Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>);
        counts[outcome] += 1;
        this.timeline.set(period, counts);
      }
    }
    if (outcome === 'skipped') this.skips.add([text(record.skipReason, '(unknown)')], 1);

    const reason = text(record.exemptReason, NO_REASON);
    const changed = new Map<string, number>();
    const exempted = new Map<string, number>();
    for (const container of list(record.containers)) {
      if (typeof container !== 'object' || container === null) continue;
      const c = container as Record<string, unknown>;
      for (const id of list(c.applied)) if (typeof id === 'string') changed.set(id, (changed.get(id) ?? 0) + 1);
      for (const id of list(c.exempted)) if (typeof id === 'string') exempted.set(id, (exempted.get(id) ?? 0) + 1);
      for (const item of list(c.notApplicable)) {
        const { control, reason: why } = (item ?? {}) as Record<string, unknown>;
        if (typeof control === 'string') this.notApplicable.add([control, text(why, '(unknown)')], 1);
      }
    }
    // Audit mode records what would change; only real changes count here.
    if (outcome === 'patched') for (const [control, containers] of changed) this.changes.add([control], 1, containers);
    for (const [control, containers] of exempted) this.exemptions.add([namespace, control, reason], containers, 1);
    for (const item of list(record.refusedExemptions)) {
      const { control, reason: why } = (item ?? {}) as Record<string, unknown>;
      if (typeof control === 'string') this.refused.add([namespace, control, text(why, '(unknown)')], 1);
    }
  }

  report(): SummaryReport {
    const byControlOrder = (a: Row, b: Row): number => CONTROL_IDS.indexOf(a.keys[0] as never) - CONTROL_IDS.indexOf(b.keys[0] as never);
    return {
      lines: this.lines,
      decisionRecords: this.decisions,
      skippedLines: this.lines - this.decisions,
      notJsonLines: this.notJson,
      firstTime: this.firstTime,
      lastTime: this.lastTime,
      outcomes: { ...this.outcomes },
      modes: Object.fromEntries(this.modes),
      changesByControl: this.changes
        .sorted()
        .sort(byControlOrder)
        .map(({ keys, counts }) => ({ control: keys[0] ?? '', reviews: counts[0] ?? 0, containers: counts[1] ?? 0 })),
      exemptions: this.exemptions.sorted().map(({ keys: [namespace = '', control = '', reason = ''], counts: [containers = 0, reviews = 0] }) => ({ namespace, control, reason, containers, reviews })),
      refusedExemptions: this.refused.sorted().map(({ keys: [namespace = '', control = '', reason = ''], counts: [count = 0] }) => ({ namespace, control, reason, count })),
      skippedReviews: this.skips.sorted().map(({ keys: [reason = ''], counts: [count = 0] }) => ({ reason, count })),
      notApplicable: this.notApplicable.sorted().map(({ keys: [control = '', reason = ''], counts: [containers = 0] }) => ({ control, reason, containers })),
      timeline: [...this.timeline].sort(([a], [b]) => a.localeCompare(b)).map(([period, counts]) => ({ period, ...counts })),
    };
  }
}
