/** GET /metrics after a few reviews: the counters moved by exactly the right amounts. */
import { postJson, send } from '../helpers/https.js';
import { container, pod } from '../helpers/pods.js';
import { reviewOf } from '../helpers/reviews.js';
import { startTestWebhook, type TestWebhook } from '../helpers/webhook.js';

/** The value of one sample in Prometheus text format, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[3] ?? '').split(',').filter(Boolean);
    if (wanted.every((w) => have.includes(w)) && have.length === wanted.length) return Number(match[4]);
  }
  return 0;
}

describe('GET /metrics', () => {
  let hook: TestWebhook;
  beforeAll(async () => {
    hook = await startTestWebhook();
  });
  afterAll(async () => {
    await hook.stop();
  });

  const scrape = async (): Promise<string> => {
    const res = await send(`${hook.url}/metrics`, { ca: hook.ca });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text;
  };

  test('reviews, patches by control, exemptions, warnings, errors and latency move by the right amounts', async () => {
    const before = await scrape();
    // Two bare pods: patched, every control but privileged changes something.
    await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(pod()));
    await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(pod({ containers: [container('a'), container('b')] })));
    // One pod exempt from readOnlyRootFilesystem, with an unknown id (a warning).
    await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(pod({}, { annotations: { 'pod-hardener.io/exempt': 'readOnlyRootFilesystem,bogus' } })));
    // An update (skipped) and a bad request.
    await postJson(`${hook.url}/mutate`, hook.ca, reviewOf(pod(), { operation: 'UPDATE', oldObject: pod() }));
    await postJson(`${hook.url}/mutate`, hook.ca, '{"kind":"AdmissionReview"}');
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string> = {}): number => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('pod_hardener_reviews_total', { operation: 'CREATE', outcome: 'patched' })).toBe(3);
    expect(delta('pod_hardener_reviews_total', { operation: 'UPDATE', outcome: 'skipped' })).toBe(1);
    expect(delta('pod_hardener_patches_total', { control: 'capabilities' })).toBe(3);
    expect(delta('pod_hardener_patches_total', { control: 'readOnlyRootFilesystem' })).toBe(2);
    expect(delta('pod_hardener_patches_total', { control: 'privileged' })).toBe(0);
    expect(delta('pod_hardener_exemptions_total', { control: 'readOnlyRootFilesystem' })).toBe(1);
    expect(delta('pod_hardener_warnings_total')).toBe(1);
    expect(delta('pod_hardener_errors_total', { kind: 'bad_request' })).toBe(1);
    expect(delta('pod_hardener_errors_total', { kind: 'internal' })).toBe(0);
    expect(delta('pod_hardener_review_duration_seconds_count')).toBe(4);
  });

  test('the process defaults are exported too', async () => {
    const text = await scrape();
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^pod_hardener_build_info\{version="[^"]+"\} 1$/m);
  });
});
