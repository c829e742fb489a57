import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, parseConfig } from '../../../src/config/config-file.js';
import { CONTROL_IDS } from '../../../src/engine/control-ids.js';

describe('the config file', () => {
  test('an empty file is the default policy', () => {
    const { policy } = parseConfig('', 'policy.yaml');
    expect(policy).toEqual({
      mode: 'enforce',
      annotationPrefix: 'pod-hardener.io',
      allowedCapabilities: ['NET_BIND_SERVICE'],
      excludedNamespaces: ['kube-system'],
      exemptions: { requireReason: false, allowedControls: [...CONTROL_IDS] },
      namespaces: {},
      onInternalError: 'allow',
      images: { resolve: true, unreadable: 'skip', allowedRegistries: [], deniedRegistries: [], insecureRegistries: [], mirrors: {}, timeoutMs: 2000, cacheTtlSeconds: 300, cacheSize: 1000 },
    });
  });

  test('every documented field is read', () => {
    const text = [
      'mode: audit',
      'annotationPrefix: security.example.com',
      'allowedCapabilities: [NET_BIND_SERVICE, CAP_CHOWN]',
      'defaultRunAsUser: 65532',
      'excludedNamespaces: [kube-system, monitoring]',
      'exemptions:',
      '  requireReason: true',
      '  allowedControls: [readOnlyRootFilesystem]',
      '  namespaceLabel: pod-hardener.io/exemptions',
      'namespaces:',
      '  modeLabel: pod-hardener.io/mode',
      '  excludeLabel: pod-hardener.io/exclude',
      'onInternalError: deny',
      'images:',
      '  resolve: true',
      '  unreadable: harden',
      '  allowedRegistries: [registry.example.com, "*.corp.example"]',
      '  deniedRegistries: [docker.io]',
      '  insecureRegistries: [registry.lab:5000]',
      '  mirrors: {docker.io: mirror.example.com}',
      '  timeoutMs: 1500',
      '  cacheTtlSeconds: 60',
      '  cacheSize: 50',
    ].join('\n');
    expect(parseConfig(text, 'policy.yaml').policy).toEqual({
      mode: 'audit',
      annotationPrefix: 'security.example.com',
      allowedCapabilities: ['NET_BIND_SERVICE', 'CAP_CHOWN'],
      defaultRunAsUser: 65532,
      excludedNamespaces: ['kube-system', 'monitoring'],
      exemptions: { requireReason: true, allowedControls: ['readOnlyRootFilesystem'], namespaceLabel: 'pod-hardener.io/exemptions' },
      namespaces: { modeLabel: 'pod-hardener.io/mode', excludeLabel: 'pod-hardener.io/exclude' },
      onInternalError: 'deny',
      images: {
        resolve: true,
        unreadable: 'harden',
        allowedRegistries: ['registry.example.com', '*.corp.example'],
        deniedRegistries: ['docker.io'],
        insecureRegistries: ['registry.lab:5000'],
        mirrors: { 'docker.io': 'mirror.example.com' },
        timeoutMs: 1500,
        cacheTtlSeconds: 60,
        cacheSize: 50,
      },
    });
  });

  test.each([
    { text: 'mod: enforce', message: /unknown field "mod"/ },
    { text: 'exemptions:\n  requireReasons: true', message: /unknown field "exemptions.requireReasons"/ },
    { text: 'mode: strict', message: /mode: Invalid option: expected one of "enforce"\|"fill"\|"audit"/ },
    { text: 'allowedCapabilities: NET_ADMIN', message: /allowedCapabilities: .*array/ },
    { text: 'exemptions:\n  allowedControls: [hostNetwork]', message: /exemptions.allowedControls\[0\]/ },
    { text: 'defaultRunAsUser: 0', message: /defaultRunAsUser: must be a non-root uid/ },
    { text: 'onInternalError: ignore', message: /onInternalError/ },
    { text: 'namespaces:\n  modeLabels: x', message: /unknown field "namespaces.modeLabels"/ },
    { text: 'namespaces:\n  excludeLabel: "not a key!"', message: /namespaces.excludeLabel: must be a label key/ },
    { text: 'annotationPrefix: "Not A Prefix"', message: /annotationPrefix: must be a DNS subdomain/ },
    { text: 'mode: [', message: /not valid YAML/ },
    { text: 'images:\n  unreadable: guess', message: /images.unreadable/ },
    { text: 'images:\n  resolv: false', message: /unknown field "images.resolv"/ },
    { text: '- mode: enforce', message: /must be a YAML mapping/ },
  ])('$text is refused, naming the field', ({ text, message }) => {
    expect(() => parseConfig(text, 'policy.yaml')).toThrow(message);
    expect(() => parseConfig(text, 'policy.yaml')).toThrow(/^policy.yaml: /);
  });

  test('an unreadable file is a clear error', () => {
    expect(() => loadConfigFile('/nonexistent/policy.yaml')).toThrow(/\/nonexistent\/policy.yaml: cannot read the config file: ENOENT/);
  });

  test('a file on disk is read', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ph-config-')), 'policy.yaml');
    writeFileSync(path, 'mode: fill\n');
    expect(loadConfigFile(path).policy.mode).toBe('fill');
  });
});
