import { PassThrough } from 'node:stream';
import { buildDecisionRecord } from '../../../src/audit/record.js';
import { reviewAdmission } from '../../../src/engine/review.js';
import { createLogger, decisionLine } from '../../../src/logging/logger.js';
import { createRequest, pod, policy } from '../../helpers/pods.js';

function record() {
  const request = createRequest(pod({}, { annotations: { 'pod-hardener.io/exempt': 'bogus' } }));
  return buildDecisionRecord(request, reviewAdmission(request, { policy: policy() }), [], 0.25);
}

function capture(): { stream: PassThrough; lines: () => string[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, lines: () => text.split('\n').filter(Boolean) };
}

describe('decision lines', () => {
  test('a line with the patch spliced in from its serialized text is the same as one serialized whole', () => {
    const r = record();
    expect(r.patch.length).toBeGreaterThan(0);
    const whole = JSON.parse(decisionLine(r));
    const spliced = JSON.parse(decisionLine(r, JSON.stringify(r.patch)));
    expect(Object.keys(spliced)).toEqual(Object.keys(whole));
    expect({ ...spliced, time: 0 }).toEqual({ ...whole, time: 0 });
  });

  test('lines logged in one turn are written together, in order, operational and decision alike; flush waits for them', async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ stream });
    logger.info('first');
    logger.decision(record());
    logger.warn('third');
    expect(lines()).toEqual([]);
    await logger.flush();
    const written = lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(written.map((l) => [l.type, l.message ?? l.outcome])).toEqual([
      ['operational', 'first'],
      ['decision', 'patched'],
      ['operational', 'third'],
    ]);
  });

  test('operational lines below the level are not written; decision records always are', async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ stream, level: 'error' });
    logger.info('hidden');
    logger.decision(record());
    await logger.flush();
    expect(lines().map((l) => JSON.parse(l).type)).toEqual(['decision']);
  });
});
