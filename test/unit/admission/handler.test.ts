/**
 * A failure anywhere inside a review — the engine, serializing the answer,
 * building the record, logging, counting — is answered for the same uid as
 * onInternalError says, never a bare 500 (issue 14, case 5).
 */
import { handleAdmission, type AdmissionDeps } from '../../../src/admission/handler.js';
import type { Logger } from '../../../src/logging/logger.js';
import { createMetrics } from '../../../src/metrics/metrics.js';
import { policy } from '../../helpers/pods.js';
import { reviewOf } from '../../helpers/reviews.js';
import { pod } from '../../helpers/pods.js';

function logger(failOn: 'decision' | 'nothing', records: unknown[]): Logger {
  return {
    error: () => undefined,
    warn: () => undefined,
    info: () => undefined,
    debug: () => undefined,
    decision(record) {
      records.push(record);
      if (failOn === 'decision' && records.length === 1) throw new Error('log stream closed');
    },
    setLevel: () => undefined,
    flush: async () => undefined,
  };
}

function deps(onInternalError: 'allow' | 'deny', failOn: 'decision' | 'metrics', records: unknown[]): AdmissionDeps {
  const metrics = createMetrics({ version: 'test', collectDefaults: false });
  if (failOn === 'metrics') {
    metrics.observeReview = () => {
      throw new Error('metrics broke');
    };
  }
  return {
    policy: () => policy({ onInternalError }),
    namespace: async () => undefined,
    extraExcludedNamespaces: [],
    logger: logger(failOn === 'decision' ? 'decision' : 'nothing', records),
    metrics,
  };
}

const body = Buffer.from(JSON.stringify(reviewOf(pod())));
const uid = (reviewOf(pod()).request as { uid: string }).uid;

describe('failures after the engine are answered per onInternalError', () => {
  test.each([
    { failOn: 'decision' as const, onInternalError: 'allow' as const },
    { failOn: 'decision' as const, onInternalError: 'deny' as const },
    { failOn: 'metrics' as const, onInternalError: 'allow' as const },
    { failOn: 'metrics' as const, onInternalError: 'deny' as const },
  ])('when $failOn fails, the answer echoes the uid and follows onInternalError: $onInternalError', async ({ failOn, onInternalError }) => {
    const records: unknown[] = [];
    const answer = await handleAdmission(body, deps(onInternalError, failOn, records));
    expect(answer.response.uid).toBe(uid);
    expect(answer.response.allowed).toBe(onInternalError === 'allow');
    expect(answer.response.patch).toBeUndefined();
    expect(answer.response.warnings?.join('\n')).toMatch(/internal error/);
    // The error is recorded as a decision of its own (outcome "error").
    expect(records.some((record) => (record as { outcome: string }).outcome === 'error')).toBe(true);
  });
});

describe('the review\'s time', () => {
  test('counts from the given start (the read body), not from when the review was decided', async () => {
    const records: Array<{ durationMs: number }> = [];
    const recording = { ...deps('allow', 'decision', []), logger: { ...logger('nothing', []), decision: (record: unknown) => void records.push(record as { durationMs: number }) } };
    const received = process.hrtime.bigint() - 50_000_000n;
    await handleAdmission(body, recording, received);
    await handleAdmission(body, recording);
    expect(records[0]?.durationMs).toBeGreaterThanOrEqual(50);
    expect(records[1]?.durationMs).toBeLessThan(50);
  });
});
