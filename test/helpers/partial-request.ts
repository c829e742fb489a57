/**
 * A request held in flight on purpose: headers and half the body are sent,
 * the rest waits for `finish()`. Lets tests act (SIGTERM, certificate swaps)
 * while the server is in the middle of a review.
 */
import { connect, type TLSSocket } from 'node:tls';

export interface HeldRequest {
  /** Sends the rest of the body and resolves with the raw HTTP response. */
  finish(): Promise<{ status: number; headers: string; body: string }>;
  socket: TLSSocket;
}

export function holdRequest(port: number, ca: string, path: string, body: string): Promise<HeldRequest> {
  return new Promise((resolve, reject) => {
    // No servername: the certificate is checked against 127.0.0.1 (an IP SAN), as the API server does for a url webhook.
    const socket = connect({ host: '127.0.0.1', port, ca }, () => {
      const half = Math.floor(body.length / 2);
      socket.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
      socket.write(body.slice(0, half));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      resolve({
        socket,
        finish: () =>
          new Promise((done, fail) => {
            socket.on('end', () => {
              const raw = Buffer.concat(chunks).toString('utf8');
              const [head = '', ...rest] = raw.split('\r\n\r\n');
              const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
              done({ status, headers: head, body: rest.join('\r\n\r\n') });
            });
            socket.on('error', fail);
            socket.write(body.slice(half));
          }),
      });
    });
    socket.on('error', reject);
  });
}
