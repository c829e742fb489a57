/**
 * A second mutating webhook for the reinvocation test: it injects a sidecar
 * container (as service meshes do) after pod-hardener has run, so the API
 * server must call pod-hardener again (reinvocationPolicy: IfNeeded).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface SidecarInjector {
  port: number;
  calls(): number;
  close(): Promise<void>;
}

export async function startSidecarInjector(certFile: string, keyFile: string, sidecar: string): Promise<SidecarInjector> {
  let calls = 0;
  const server: Server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      calls += 1;
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const containers: Array<{ name: string }> = review.request.object?.spec?.containers ?? [];
      const response: Record<string, unknown> = { uid: review.request.uid, allowed: true };
      if (!containers.some((c) => c.name === sidecar)) {
        const patch = [{ op: 'add', path: '/spec/containers/-', value: { name: sidecar, image: 'registry.example/mesh-proxy:1' } }];
        response.patchType = 'JSONPatch';
        response.patch = Buffer.from(JSON.stringify(patch)).toString('base64');
      }
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    calls: () => calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
