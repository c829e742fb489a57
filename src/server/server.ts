/**
 * The HTTPS server: TLS 1.2 or newer, the certificate replaceable while
 * running, in-flight requests counted so a shutdown can wait for them.
 */
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serveAdmission, type AdmissionHttpDeps } from '../admission/http.js';
import { createApp, type AppDeps } from './app.js';
import type { KeyPair } from './certificates.js';

export interface ServerOptions {
  port: number;
  /** Listen address; all interfaces when absent. */
  host?: string | undefined;
  keyPair: KeyPair;
}

export interface RunningServer {
  readonly server: Server;
  /** The bound address and port (port 0 in the options picks a free one). */
  address(): AddressInfo;
  /** Reviews and other requests being answered right now. */
  inFlight(): number;
  /** Serves new TLS connections with this pair; existing ones keep theirs. */
  setKeyPair(pair: KeyPair): void;
  /** Stops accepting, lets in-flight requests finish (up to timeoutMs), then closes every connection. */
  close(timeoutMs: number): Promise<{ drained: boolean }>;
}

const TLS_OPTIONS = { minVersion: 'TLSv1.2' as const };

function isMutatePath(url: string | undefined): boolean {
  return url === '/mutate' || (url !== undefined && url.startsWith('/mutate?'));
}

export async function startServer(options: ServerOptions, deps: AppDeps & AdmissionHttpDeps): Promise<RunningServer> {
  const app = createApp(deps);
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  const idleWaiters: Array<() => void> = [];
  // While closing, every answer ends its connection, so clients reconnect to another replica.
  const endConnectionAfter = (res: ServerResponse): void => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };

  const server = createServer({ ...TLS_OPTIONS, ...options.keyPair }, (req, res) => {
    inFlight.add(res);
    if (closing) endConnectionAfter(res);
    const done = (): void => {
      if (inFlight.delete(res) && inFlight.size === 0) idleWaiters.splice(0).forEach((wake) => wake());
    };
    res.on('finish', done);
    res.on('close', done);
    // The review endpoint is the hot path; everything else goes through Express.
    // The API server adds a query (?timeout=5s) to the webhook's URL.
    if (isMutatePath(req.url)) void serveAdmission(req, res, deps);
    else app(req, res);
  });
  // The API server keeps connections open between reviews; keep them longer than its idle timeout would close them anyway.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  // A client that fails the TLS handshake must not take anything down.
  server.on('tlsClientError', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    server,
    address: () => server.address() as AddressInfo,
    inFlight: () => inFlight.size,
    setKeyPair: (pair) => server.setSecureContext({ ...TLS_OPTIONS, ...pair }),
    async close(timeoutMs) {
      closing = true;
      inFlight.forEach(endConnectionAfter);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const drained =
        inFlight.size === 0 ||
        (await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), timeoutMs);
          idleWaiters.push(() => {
            clearTimeout(timer);
            resolve(true);
          });
        }));
      server.closeAllConnections();
      await closed;
      return { drained };
    },
  };
}
