/** A small HTTPS client for the integration tests: real TLS, the webhook's certificate as the trusted CA. */
import { request, type RequestOptions } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json<T = unknown>(): T;
}

export function send(url: string, options: RequestOptions & { body?: string | Buffer; ca: string }): Promise<HttpResult> {
  const { body, ...rest } = options;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ...rest, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function postJson(url: string, ca: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return send(url, { method: 'POST', ca, body: text, headers: { 'Content-Type': 'application/json', ...headers } });
}
