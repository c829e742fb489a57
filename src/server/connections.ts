/**
 * The server's connections and what each is doing, so a shutdown can drain
 * them without resetting anything a client sent.
 *
 * Counting requests is not enough: between two requests on a kept-alive
 * connection the count is zero for an instant while the client may already be
 * writing its next one. So each connection is tracked on its own: busy while
 * a request on it is being answered, and otherwise idle only if not one byte
 * of a next request has arrived since its last answer (TLSSocket.bytesRead
 * counts decrypted bytes, so a request whose headers are still incomplete —
 * no 'request' event yet — already counts).
 */
import type { ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';

interface ConnectionState {
  /** Responses not yet finished on this connection (HTTP/1.1 pipelining can queue more than one). */
  readonly responses: Set<ServerResponse>;
  /** When the last answer finished (or the connection was set up). */
  idleSince: number;
  /** socket.bytesRead at that moment: more since then means a request is arriving. */
  bytesAtIdle: number;
  /** When the drain closed it while idle (undefined: open): a request arriving after that was sent after the close. */
  endedAt: number | undefined;
}

export class ConnectionTracker {
  private readonly connections = new Map<TLSSocket, ConnectionState>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A connection whose TLS handshake completed. */
  add(socket: TLSSocket): void {
    this.connections.set(socket, { responses: new Set(), idleSince: this.now(), bytesAtIdle: socket.bytesRead, endedAt: undefined });
    socket.once('close', () => this.connections.delete(socket));
  }

  /**
   * A request arrived on `socket`: busy until `res` is finished. Returns false
   * when the drain already closed this connection: the client wrote after the
   * close, and the request must not be reviewed.
   */
  requestStarted(socket: TLSSocket, res: ServerResponse): boolean {
    const state = this.connections.get(socket);
    if (!state) return true;
    if (state.endedAt !== undefined) return false;
    state.responses.add(res);
    const finished = (): void => {
      if (!state.responses.delete(res) || state.responses.size > 0) return;
      state.idleSince = this.now();
      state.bytesAtIdle = socket.bytesRead;
    };
    res.once('finish', finished);
    res.once('close', finished);
    return true;
  }

  /** Connections open now. */
  get size(): number {
    return this.connections.size;
  }

  /** Connections with a request being answered. */
  busy(): number {
    let busy = 0;
    for (const state of this.connections.values()) if (state.responses.size > 0) busy += 1;
    return busy;
  }

  /** Every response not yet finished, on every connection. */
  *pendingResponses(): Iterable<ServerResponse> {
    for (const state of this.connections.values()) yield* state.responses;
  }

  /**
   * Closes, cleanly (TLS close_notify, then FIN), every connection that has
   * answered everything and received nothing since, for at least `graceMs`
   * counted from its last answer or from `drainStarted`, whichever is later:
   * a connection idle for long before the drain may be about to carry a
   * request, and its client cannot know of the drain before it sees a close.
   * One closed so whose client has not closed its side within another
   * `graceMs` is let go.
   */
  endIdle(graceMs: number, drainStarted: number): void {
    const now = this.now();
    for (const [socket, state] of this.connections) {
      if (state.endedAt !== undefined) {
        if (now - state.endedAt >= graceMs) socket.destroy();
        continue;
      }
      if (state.responses.size > 0 || socket.bytesRead !== state.bytesAtIdle || now - Math.max(state.idleSince, drainStarted) < graceMs) continue;
      state.endedAt = now;
      socket.end();
    }
  }

  /** Ends every connection at once, whatever it is doing (the drain's time is up). */
  destroyAll(): void {
    for (const socket of this.connections.keys()) socket.destroy();
  }
}
