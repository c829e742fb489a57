/**
 * The request body of a review: read within the size limit and the bytes the
 * server may hold at once, or — once refused — read and thrown away, so the
 * answer reaches the client instead of a reset.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, HttpError, OverloadError, payloadTooLarge } from './errors.js';
import type { ReviewSlot } from './load-limit.js';

/** A refused body is read and discarded up to this many times the size limit (at least DISCARD_MIN_BYTES), then the connection is cut. */
const DISCARD_FACTOR = 4;
const DISCARD_MIN_BYTES = 32 * 1024 * 1024;
/** How long a refused body not read at all (no room to discard it) keeps its connection open after the answer was sent. */
const UNREAD_LINGER_MS = 2000;

/** The body length the client declared (Content-Length), or undefined when it declared none it could keep to. */
function declaredLength(req: IncomingMessage): number | undefined {
  const declared = Number(req.headers['content-length']);
  return req.headers['content-length'] !== undefined && Number.isFinite(declared) ? declared : undefined;
}

/**
 * Reads the body. Refuses it with 413 past `limit` (early when Content-Length
 * says so), and with 429 when holding it would cross the server's bytes in
 * flight (the whole declared length is reserved up front; a chunked body
 * chunk by chunk).
 */
export function readBody(req: IncomingMessage, limit: number, slot: ReviewSlot): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = declaredLength(req);
    const known = declared !== undefined;
    if (known && declared > limit) return reject(payloadTooLarge(limit));
    if (known && !slot.reserve(declared)) return reject(new OverloadError('bytes_in_flight'));
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (error: HttpError): void => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) return stop(payloadTooLarge(limit));
      if (!known && !slot.reserve(chunk.length)) return stop(new OverloadError('bytes_in_flight'));
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      if (known && declared !== size) reject(badRequest('request body length does not match its Content-Length'));
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', () => reject(badRequest('request body was not received completely')));
  });
}

/** Asks for room to discard `bytes` of a refused body: the release function, or undefined when there is none now. */
export type DiscardRoom = (bytes: number) => (() => void) | undefined;

/**
 * Sends `text` as the whole answer, but ends the exchange only once the
 * client has finished sending its body (read and discarded, up to a bound),
 * then closes the connection. Closing while the client still writes would
 * reset the connection, and a client busy writing a large body would see
 * EPIPE instead of the answer. Past the bound, or at the server's request
 * timeout, the connection is cut: the answer was sent in full by then.
 *
 * Discarding costs what reading costs, so the refused bodies being discarded
 * at once are bounded too (`room`). One refused beyond that is not read at
 * all: the answer is sent, the connection stops reading, so its client's
 * writes stall instead of costing the server (and the reviews it admitted)
 * the decryption of a body it refused; the connection is cut
 * UNREAD_LINGER_MS later (or at the request timeout, if sooner), once the
 * client has had its answer.
 */
export function answerThenDiscard(req: IncomingMessage, res: ServerResponse, status: number, text: string, headers: Readonly<Record<string, string>>, limit: number, room: DiscardRoom): void {
  res.writeHead(status, { ...headers, Connection: 'close', 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  if (req.complete) {
    res.end(text);
    return;
  }
  res.write(text);
  // A body of known length is read to its end; one of unknown length up to the size limit more.
  const bound = Math.min(declaredLength(req) ?? limit, Math.max(DISCARD_FACTOR * limit, DISCARD_MIN_BYTES));
  const release = room(bound);
  if (!release) {
    // Not read: the client's writes stall. Cut once its answer has had time to arrive (a drain on shutdown waits for this connection).
    req.pause();
    const cut = setTimeout(() => res.destroy(), UNREAD_LINGER_MS);
    res.once('close', () => clearTimeout(cut));
    return;
  }
  res.once('close', release);
  let discarded = 0;
  const finish = (): void => {
    req.removeListener('data', count);
    res.end();
  };
  const count = (chunk: Buffer): void => {
    discarded += chunk.length;
    if (discarded > bound) finish();
  };
  req.on('data', count);
  req.once('end', finish);
  req.resume();
}
