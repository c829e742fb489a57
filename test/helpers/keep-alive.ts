/**
 * A kept-alive HTTPS client at the socket level: one TLS connection, requests
 * written on it one after another (or a part at a time), answers read back,
 * and how the connection ended. Lets tests act between two requests on one
 * connection, as the API server's client does.
 */
import { connect, type TLSSocket } from 'node:tls';

export interface RawResponse {
  status: number;
  headers: string;
  body: string;
}

export interface KeptAlive {
  socket: TLSSocket;
  /** Writes raw bytes (part of a request). */
  write(text: string): void;
  /** The request text of a POST /mutate with this JSON body, keep-alive. */
  request(body: string): string;
  /** The next complete answer on the connection. */
  response(): Promise<RawResponse>;
  /** How the connection ended: 'end' (the server closed it cleanly) or the error code. */
  ended: Promise<string>;
}

export function keepAlive(port: number, ca: string): Promise<KeptAlive> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca }, () => {
      let buffer = '';
      const waiters: Array<() => void> = [];
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        waiters.splice(0).forEach((wake) => wake());
      });
      const ended = new Promise<string>((done) => {
        socket.on('end', () => done('end'));
        socket.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
      });
      const takeResponse = (): RawResponse | undefined => {
        const split = buffer.indexOf('\r\n\r\n');
        if (split < 0) return undefined;
        const headers = buffer.slice(0, split);
        const length = Number(/content-length: (\d+)/i.exec(headers)?.[1] ?? 0);
        if (buffer.length < split + 4 + length) return undefined;
        const body = buffer.slice(split + 4, split + 4 + length);
        buffer = buffer.slice(split + 4 + length);
        return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0), headers, body };
      };
      resolve({
        socket,
        ended,
        write: (text) => socket.write(text),
        request: (body) => `POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        response: () =>
          new Promise((done, fail) => {
            const look = (): void => {
              const response = takeResponse();
              if (response) return done(response);
              if (socket.destroyed || socket.readableEnded) return fail(new Error('the connection ended before a complete answer'));
              waiters.push(look);
            };
            void ended.then(() => waiters.splice(0).forEach((wake) => wake()));
            look();
          }),
      });
    });
    socket.on('error', reject);
  });
}
