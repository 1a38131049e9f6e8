// AWS Signature Version 4 verification for the `chime` service, as the AWS SDK v3 and the AWS CLI sign.
// Pure: the caller supplies the raw request, the clock and a way to find a key and its secret.
// Every API call runs through verify(), so the common shapes (plain paths, tidy header values, empty bodies)
// take fast paths that give exactly what the general rules give.
import crypto, { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from './errors.js';

export type SignedRequest = {
  method: string;
  /** The request target exactly as received: raw path plus optional query, still percent-encoded. */
  rawUrl: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
};

export type VerifiedSignature<K> = { accessKeyId: string; region: string; key: K };

const AUTH_RE =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;\-_.]+),\s*Signature=([0-9a-f]{64})$/;

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

/** RFC 3986 encoding as SigV4 wants it: encodeURIComponent plus !'()*. */
export function uriEncode(s: string): string {
  if (UNRESERVED.test(s)) return s;
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new AppError('auth.malformed', 'The request path or query is not valid percent-encoding.');
  }
}

/** Non-empty segments of unreserved characters, none of them '.' or '..', no trailing slash: already canonical. */
const PLAIN_PATH = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9\-._~]+)+$/;

/**
 * Canonical URI for non-S3 services, normalized as the AWS signers do: raw segments, empty and '.' dropped,
 * '..' removing the one before, then each segment encoded once more.
 */
export function canonicalUri(rawPath: string): string {
  if (PLAIN_PATH.test(rawPath)) return rawPath;
  const segments: string[] = [];
  for (const s of rawPath.split('/')) {
    if (s === '..') segments.pop();
    else if (s !== '' && s !== '.') segments.push(s);
  }
  const trailing = rawPath.length > 1 && rawPath.endsWith('/') ? '/' : '';
  if (segments.length === 0) return '/';
  return '/' + segments.map((s) => uriEncode(s)).join('/') + trailing;
}

export function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  const pairs = rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=');
      const k = i === -1 ? p : p.slice(0, i);
      const v = i === -1 ? '' : p.slice(i + 1);
      // '+' stays a literal plus, as the API reads it (the clients send spaces as %20).
      return [uriEncode(safeDecode(k)), uriEncode(safeDecode(v))] as const;
    });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function headerValue(headers: SignedRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** A header value trimmed, with each run of whitespace made one space (as the AWS signers do). */
function canonicalHeaderValue(value: string | undefined): string {
  const trimmed = (value ?? '').trim();
  // Only a run of two or more, or a whitespace character other than a space, changes anything.
  return /\s\s|[^\S ]/.test(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed;
}

// crypto.hash (Node 20.12+) hashes in one call, without a Hash object.
const sha256Hex: (data: string | Buffer) => string =
  typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data, 'hex') : (data) => crypto.createHash('sha256').update(data).digest('hex');
const EMPTY_SHA256 = sha256Hex('');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

let lastAmzDate: { text: string; ms: number | undefined } = { text: '', ms: undefined };

/** Parses `x-amz-date` (YYYYMMDDTHHMMSSZ) into epoch milliseconds, or undefined when malformed. Calls within one
 *  second carry the same text, so the last one is remembered. */
function parseAmzDate(s: string): number | undefined {
  if (s === lastAmzDate.text) return lastAmzDate.ms;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  const parsed = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
  const ms = Number.isNaN(parsed) ? undefined : parsed;
  lastAmzDate = { text: s, ms };
  return ms;
}

export class SigV4Verifier<K extends { secret: string }> {
  // Signing keys depend only on (secret, date, region): cache them so a request costs one HMAC chain per day.
  private readonly keyCache = new Map<string, Buffer>();

  constructor(
    private readonly options: {
      service: string;
      maxSkewSeconds: number;
      now: () => Date;
      /** The key with this id and its secret, or undefined when there is no such active key; a cached key may
       *  come back at once, without a promise. */
      lookupKey: (accessKeyId: string) => K | undefined | Promise<K | undefined>;
    },
  ) {}

  async verify(req: SignedRequest): Promise<VerifiedSignature<K>> {
    const authorization = headerValue(req.headers, 'authorization');
    if (!authorization) throw new AppError('auth.missing', 'Missing Authentication Token');
    const m = AUTH_RE.exec(authorization.trim());
    if (!m) throw new AppError('auth.malformed', 'Authorization header is not a valid AWS4-HMAC-SHA256 signature.');
    const [, accessKeyId, scopeDate, region, service, signedHeadersList, signature] = m as unknown as string[];
    if (service !== this.options.service) {
      throw new AppError('auth.signature_mismatch', `Credential should be scoped to correct service: '${this.options.service}'.`);
    }
    const amzDate = headerValue(req.headers, 'x-amz-date');
    const requestTime = amzDate ? parseAmzDate(amzDate) : undefined;
    if (!amzDate || requestTime === undefined) throw new AppError('auth.malformed', 'x-amz-date header is missing or malformed.');
    if (amzDate.slice(0, 8) !== scopeDate) {
      throw new AppError('auth.signature_mismatch', 'Credential should be scoped to a valid date matching x-amz-date.');
    }
    const skewMs = Math.abs(this.options.now().getTime() - requestTime);
    if (skewMs > this.options.maxSkewSeconds * 1000) {
      throw new AppError('auth.expired', 'Signature expired: the request time is too far from the server time.');
    }
    const signedHeaders = signedHeadersList!.split(';');
    if (!signedHeaders.includes('host')) throw new AppError('auth.malformed', "SignedHeaders must include 'host'.");
    if (headerValue(req.headers, 'content-type') !== undefined && req.body.length > 0 && !signedHeaders.includes('content-type')) {
      throw new AppError('auth.malformed', "SignedHeaders must include 'content-type' when a body is sent.");
    }

    const found = this.options.lookupKey(accessKeyId!);
    const key = found instanceof Promise ? await found : found;
    if (key === undefined) throw new AppError('auth.unknown_key', 'The security token included in the request is invalid.');

    const bodyHash = req.body.length === 0 ? EMPTY_SHA256 : sha256Hex(req.body);
    const declaredHash = headerValue(req.headers, 'x-amz-content-sha256');
    if (declaredHash !== undefined && declaredHash !== bodyHash) {
      throw new AppError('auth.signature_mismatch', 'The provided x-amz-content-sha256 header does not match the body.');
    }

    const q = req.rawUrl.indexOf('?');
    const rawPath = q === -1 ? req.rawUrl : req.rawUrl.slice(0, q);
    const rawQuery = q === -1 ? '' : req.rawUrl.slice(q + 1);
    let canonicalHeaders = '';
    for (const name of signedHeaders) canonicalHeaders += `${name}:${canonicalHeaderValue(headerValue(req.headers, name))}\n`;
    const canonicalRequest = `${req.method.toUpperCase()}\n${canonicalUri(rawPath)}\n${canonicalQuery(rawQuery)}\n${canonicalHeaders}\n${signedHeadersList}\n${declaredHash ?? bodyHash}`;
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scopeDate}/${region}/${service}/aws4_request\n${sha256Hex(canonicalRequest)}`;
    const expected = hmac(this.signingKey(key.secret, scopeDate!, region!), stringToSign);
    const given = Buffer.from(signature!, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AppError(
        'auth.signature_mismatch',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
    }
    return { accessKeyId: accessKeyId!, region: region!, key };
  }

  private signingKey(secret: string, date: string, region: string): Buffer {
    const cacheKey = `${date}/${region}/${secret}`;
    let key = this.keyCache.get(cacheKey);
    if (!key) {
      key = hmac(hmac(hmac(hmac('AWS4' + secret, date), region), this.options.service), 'aws4_request');
      if (this.keyCache.size > 1000) this.keyCache.clear();
      this.keyCache.set(cacheKey, key);
    }
    return key;
  }
}
