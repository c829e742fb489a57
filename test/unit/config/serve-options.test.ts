import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfiguration } from '../../../src/cli/serve.js';
import { envName, resolveServeOptions } from '../../../src/config/serve-options.js';

describe('serve options', () => {
  test('variables are POD_HARDENER_ plus the upper snake case of the option', () => {
    expect(envName('tlsCertFile')).toBe('POD_HARDENER_TLS_CERT_FILE');
    expect(envName('port')).toBe('POD_HARDENER_PORT');
  });

  test('defaults: port 8443 on all interfaces, a generated certificate', () => {
    const options = resolveServeOptions({}, {});
    expect(options).toMatchObject({ port: 8443, bindAddress: undefined, tlsCertFile: undefined, logLevel: 'info', maxRequestBytes: 8 * 1024 * 1024 });
  });

  test('a flag beats the variable, which beats the file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'ph-options-'));
    const config = join(directory, 'config.yaml');
    writeFileSync(config, 'mode: fill\nserve:\n  port: 7001\n  logLevel: debug\n  maxRequestBytes: 100000\n');
    const { serve, config: file } = resolveConfiguration({ config, port: '7003' }, { POD_HARDENER_PORT: '7002', POD_HARDENER_LOG_LEVEL: 'warn' });
    expect(serve.port).toBe(7003);
    expect(serve.logLevel).toBe('warn');
    expect(serve.maxRequestBytes).toBe(100000);
    expect(file.policy.mode).toBe('fill');
    const fromEnv = resolveConfiguration({}, { POD_HARDENER_CONFIG: config, POD_HARDENER_PORT: '7002' });
    expect(fromEnv.serve.port).toBe(7002);
    expect(resolveConfiguration({}, { POD_HARDENER_CONFIG: config }).serve.port).toBe(7001);
  });

  test.each([
    { flags: { port: 'https' }, message: /--port \(or POD_HARDENER_PORT\): .*number/ },
    { flags: { port: '70000' }, message: /--port .*65535/ },
    { flags: { logLevel: 'verbose' }, message: /--log-level \(or POD_HARDENER_LOG_LEVEL\)/ },
    { flags: { tlsCertFile: '/x.crt' }, message: /--tls-cert-file and --tls-key-file go together/ },
    { flags: { maxRequestBytes: '10' }, message: /--max-request-bytes/ },
  ])('$flags is refused with a message that names the option', ({ flags, message }) => {
    expect(() => resolveServeOptions(flags, {})).toThrow(message);
  });
});
