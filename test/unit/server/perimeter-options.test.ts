import { resolveServeOptions, SERVE_DEFAULTS } from '../../../src/config/serve-options.js';
import { parseConfig } from '../../../src/config/config-file.js';

describe('serve options of the perimeter', () => {
  test('defaults: no client authentication, no probe port, bounds sized for the Deployment, a 5 s request timeout', () => {
    expect(resolveServeOptions({}, {})).toMatchObject({
      clientCaFile: undefined,
      probePort: undefined,
      maxConcurrentReviews: 200,
      maxBytesInFlight: 24 * 1024 * 1024,
      requestTimeoutSeconds: 5,
    });
    expect(SERVE_DEFAULTS.maxBytesInFlight).toBeGreaterThanOrEqual(2 * SERVE_DEFAULTS.maxRequestBytes);
  });

  test('from a flag, the POD_HARDENER_ variable, or the config file serve: section', () => {
    const file = parseConfig('serve:\n  clientCaFile: /file/ca.crt\n  probePort: 8081\n  maxConcurrentReviews: 50\n', 'test.yaml').serve;
    expect(resolveServeOptions({}, {}, file)).toMatchObject({ clientCaFile: '/file/ca.crt', probePort: 8081, maxConcurrentReviews: 50 });
    expect(resolveServeOptions({}, { POD_HARDENER_CLIENT_CA_FILE: '/env/ca.crt', POD_HARDENER_PROBE_PORT: '9000' }, file)).toMatchObject({ clientCaFile: '/env/ca.crt', probePort: 9000 });
    expect(resolveServeOptions({ clientCaFile: '/flag/ca.crt', requestTimeoutSeconds: '2' }, { POD_HARDENER_CLIENT_CA_FILE: '/env/ca.crt' }, file)).toMatchObject({ clientCaFile: '/flag/ca.crt', requestTimeoutSeconds: 2 });
  });

  test.each([
    { flags: { clientCaFile: '/ca.crt' }, message: /--client-ca-file needs --probe-port/ },
    { flags: { probePort: '8443' }, message: /--probe-port must differ from --port/ },
    { flags: { requestTimeoutSeconds: '60' }, message: /--request-timeout-seconds \(or POD_HARDENER_REQUEST_TIMEOUT_SECONDS\)/ },
    { flags: { maxConcurrentReviews: '0' }, message: /--max-concurrent-reviews/ },
    { flags: { maxBytesInFlight: '10' }, message: /--max-bytes-in-flight/ },
  ])('$flags is refused with a message that names the option', ({ flags, message }) => {
    expect(() => resolveServeOptions(flags, {})).toThrow(message);
  });
});
