/**
 * The HTTPS server: TLS 1.2 or newer, credentials replaceable while running,
 * optionally client certificates required in the handshake (with health and
 * metrics then on a probe listener of their own), and a drain on shutdown
 * that resets nothing a client sent.
 */
import type { RequestListener } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Server as TlsServer, type SecureContextOptions, type TLSSocket } from 'node:tls';
import { serveAdmission, type AdmissionHttpDeps } from '../admission/http.js';
import { createApp, type AppDeps } from './app.js';
import type { KeyPair } from './certificates.js';
import { ConnectionTracker } from './connections.js';

export interface TlsCredentials {
  keyPair: KeyPair;
  /** CA certificates (PEM): when given, every caller must present a client certificate one of them signed. */
  clientCa?: string | undefined;
}

export interface ServerOptions extends TlsCredentials {
  port: number;
  /** Listen address; all interfaces when absent. */
  host?: string | undefined;
  /** A second HTTPS port serving only /healthz, /readyz and /metrics, never asking for a client certificate. */
  probePort?: number | undefined;
  /** How long a client may take to send a whole request, headers and body. */
  requestTimeoutMs: number;
  /** During a drain, how long an idle kept-alive connection stays open for a request its client may be sending. */
  drainIdleGraceMs?: number;
}

export interface RunningServer {
  readonly server: Server;
  /** The bound address and port (port 0 in the options picks a free one). */
  address(): AddressInfo;
  /** The probe listener's address, when there is one. */
  probeAddress(): AddressInfo | undefined;
  /** Connections with a request being answered right now. */
  inFlight(): number;
  /** Serves new TLS connections with these credentials; existing ones keep theirs. */
  setCredentials(credentials: TlsCredentials): void;
  /**
   * Stops accepting and drains: every answer from now on carries
   * `Connection: close`, a connection ends after its answer or once idle for
   * the grace period; after timeoutMs whatever is left is cut off.
   */
  close(timeoutMs: number): Promise<{ drained: boolean }>;
}

const DEFAULT_DRAIN_IDLE_GRACE_MS = 1000;
// The API server keeps connections open between reviews and closes them after 90 s idle (the
// IdleConnTimeout of k8s.io/apimachinery's SetTransportDefaults). Closing first would race its next
// POST, which Go does not retry: the review fails ("write: broken pipe"), seen in bench:apiserver.
const KEEP_ALIVE_TIMEOUT_MS = 120_000;

function secureContext(credentials: TlsCredentials): SecureContextOptions {
  return { minVersion: 'TLSv1.2', ...credentials.keyPair, ...(credentials.clientCa === undefined ? {} : { ca: credentials.clientCa }) };
}

function isMutatePath(url: string | undefined): boolean {
  return url === '/mutate' || (url !== undefined && url.startsWith('/mutate?'));
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Stops accepting new connections; calls back once every connection is gone.
 * Node's https Server.close() would first destroy every connection it deems
 * idle (http's closeIdleConnections), including one whose client is writing
 * its next request that has not arrived yet — the reset this drain exists to
 * avoid. The TLS server's own close() only stops accepting.
 */
function stopAccepting(server: Server, done: () => void): void {
  TlsServer.prototype.close.call(server, () => done());
}

/** An HTTPS server with the timeouts every listener of pod-hardener has. */
function createHttpsServer(options: SecureContextOptions & { requestCert?: boolean; rejectUnauthorized?: boolean }, requestTimeoutMs: number, handler: RequestListener): Server {
  const server = createServer(
    {
      ...options,
      // Timeouts (requestTimeout) are checked this often; Node's default of 30 s would let a 5 s timeout run 35 s.
      connectionsCheckingInterval: 1000,
      handshakeTimeout: requestTimeoutMs,
    },
    handler,
  );
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.requestTimeout = requestTimeoutMs;
  // Node requires headersTimeout <= requestTimeout.
  server.headersTimeout = Math.min(requestTimeoutMs, 20_000);
  return server;
}

export async function startServer(options: ServerOptions, deps: AppDeps & AdmissionHttpDeps): Promise<RunningServer> {
  const app = createApp(deps);
  const connections = new ConnectionTracker();
  const graceMs = options.drainIdleGraceMs ?? DEFAULT_DRAIN_IDLE_GRACE_MS;
  let closing = false;

  const tls = { ...secureContext(options), requestCert: options.clientCa !== undefined, rejectUnauthorized: true };
  const server = createHttpsServer(tls, options.requestTimeoutMs, (req, res) => {
    if (!connections.requestStarted(req.socket as TLSSocket, res)) {
      // The drain had closed this connection when the request came: the client sees the close and sends it elsewhere.
      req.socket.destroy();
      return;
    }
    if (closing) res.setHeader('Connection', 'close');
    // The review endpoint is the hot path; everything else goes through Express.
    // The API server adds a query (?timeout=5s) to the webhook's URL.
    if (isMutatePath(req.url)) void serveAdmission(req, res, deps);
    else app(req, res);
  });
  // A client that fails the TLS handshake (no client certificate, one from another CA, no common protocol) takes nothing down; it is counted.
  server.on('tlsClientError', () => deps.metrics.observeHandshakeFailure());
  server.on('secureConnection', (socket: TLSSocket) => connections.add(socket));
  // Every TCP connection, including those still in their TLS handshake (closeAllConnections() knows only those past it).
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await listen(server, options.port, options.host);

  let probe: Server | undefined;
  if (options.probePort !== undefined) {
    probe = createHttpsServer(secureContext({ keyPair: options.keyPair }), options.requestTimeoutMs, app);
    probe.on('tlsClientError', () => undefined);
    try {
      await listen(probe, options.probePort, options.host);
    } catch (error) {
      server.close();
      throw error;
    }
  }

  return {
    server,
    address: () => server.address() as AddressInfo,
    probeAddress: () => probe?.address() as AddressInfo | undefined,
    inFlight: () => connections.busy(),
    setCredentials(credentials) {
      server.setSecureContext(secureContext(credentials));
      probe?.setSecureContext(secureContext({ keyPair: credentials.keyPair }));
    },
    async close(timeoutMs) {
      closing = true;
      for (const res of connections.pendingResponses()) if (!res.headersSent) res.setHeader('Connection', 'close');
      const drainStarted = Date.now();
      const closed = new Promise<void>((resolve) => stopAccepting(server, resolve));
      const sweep = setInterval(() => connections.endIdle(graceMs, drainStarted), Math.max(10, Math.min(100, graceMs)));
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]);
      clearTimeout(timer);
      clearInterval(sweep);
      if (!drained) {
        for (const socket of sockets) socket.destroy();
        await closed;
      }
      if (probe) {
        const stopped = new Promise<void>((resolve) => probe?.close(() => resolve()));
        probe.closeAllConnections();
        await stopped;
      }
      return { drained };
    },
  };
}
