// Raw HTTP requests signed with the official SigV4 signer (@smithy/signature-v4), for tests that need exact
// control of the wire: tampering, hostile paths, malformed bodies.
import http from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials } from './server.js';

export type RawResponse = { status: number; headers: http.IncomingHttpHeaders; text: string; json: unknown };

export type RawRequest = {
  method: string;
  /** Path exactly as sent on the wire (already percent-encoded), without the query. */
  path: string;
  /** Decoded query parameters. */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
};

const encodeQuery = (q: Record<string, string>) =>
  Object.entries(q)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');

/** Signs a request like the SDK does; returns the headers to send. */
export async function signHeaders(baseUrl: string, creds: Credentials, req: RawRequest, options: { region?: string; signingDate?: Date } = {}): Promise<Record<string, string>> {
  const url = new URL(baseUrl);
  const body = req.body ?? '';
  const headers: Record<string, string> = { host: url.host, ...req.headers };
  if (body.length > 0 && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const signer = new SignatureV4({ credentials: creds, region: options.region ?? 'us-east-1', service: 'chime', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign(
    new HttpRequest({ method: req.method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: req.path, query: req.query ?? {}, headers, body }),
    { signingDate: options.signingDate },
  );
  return signed.headers as Record<string, string>;
}

/** Sends a request as given (no signing, no normalization of the path). */
export function sendRaw(baseUrl: string, req: RawRequest & { headers: Record<string, string> }): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const query = req.query && Object.keys(req.query).length > 0 ? `?${encodeQuery(req.query)}` : '';
  return new Promise((resolve, reject) => {
    const r = http.request({ host: url.hostname, port: url.port, method: req.method, path: req.path + query, headers: req.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    r.on('error', reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

/** Signs and sends. */
export async function signedRequest(baseUrl: string, creds: Credentials, req: RawRequest, options: { region?: string; signingDate?: Date } = {}): Promise<RawResponse> {
  return sendRaw(baseUrl, { ...req, headers: await signHeaders(baseUrl, creds, req, options) });
}
