// SigV4 canonicalization rules, checked against the official signer's own output on the same requests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { AppError } from '../src/platform/errors.js';
import fc from 'fast-check';
import { canonicalQuery, canonicalUri, SigV4Verifier, uriEncode } from '../src/platform/sigv4.js';

test('path segments are taken raw and encoded once more (non-S3 double encoding)', () => {
  assert.equal(canonicalUri('/accounts/a%20b%2Fc%40d%2Be'), '/accounts/a%2520b%252Fc%2540d%252Be');
  assert.equal(canonicalUri('/accounts/'), '/accounts/');
  assert.equal(canonicalUri('/'), '/');
  assert.equal(canonicalUri('/chime-api//accounts'), '/chime-api/accounts');
  assert.equal(canonicalUri('/accounts/x/../y/./users'), '/accounts/y/users');
});

test('query parameters are decoded, RFC 3986 re-encoded and sorted by key then value', () => {
  assert.equal(canonicalQuery('user-email=a%2Bb%40example.com&name=ac%20me&max-results=5'), 'max-results=5&name=ac%20me&user-email=a%2Bb%40example.com');
  assert.equal(canonicalQuery("b=2&a=2&a=1&c=!'()*"), 'a=1&a=2&b=2&c=%21%27%28%29%2A');
  assert.equal(canonicalQuery(''), '');
});

const creds = { accessKeyId: 'CKIATESTTESTTESTTEST', secretAccessKey: 'secret/with+chars=' };

async function sign(path: string, query: Record<string, string>, body: string, date: Date) {
  const signer = new SignatureV4({ credentials: creds, region: 'eu-west-3', service: 'chime', sha256: Hash.bind(null, 'sha256') });
  const req = new HttpRequest({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 8080, path, query, headers: { host: '127.0.0.1:8080', 'content-type': 'application/json' }, body });
  const signed = await signer.sign(req, { signingDate: date });
  const qs = Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return { rawUrl: qs ? `${path}?${qs}` : path, headers: signed.headers };
}

function verifier(now: Date) {
  return new SigV4Verifier({ service: 'chime', maxSkewSeconds: 900, now: () => now, lookupKey: async (id) => (id === creds.accessKeyId ? { secret: creds.secretAccessKey } : undefined) });
}

test('a request signed by the official signer verifies, and any change to it does not', async () => {
  const now = new Date('2026-11-28T10:00:00Z');
  const body = '{"UserEmailList":["a@example.com"]}';
  const signed = await sign('/accounts/a%20b%2Fc/users', { operation: 'add' }, body, now);
  const ok = await verifier(now).verify({ method: 'POST', rawUrl: signed.rawUrl, headers: signed.headers, body: Buffer.from(body) });
  assert.deepEqual(ok, { accessKeyId: creds.accessKeyId, region: 'eu-west-3', key: { secret: creds.secretAccessKey } });

  const refusals: Array<[string, Parameters<SigV4Verifier<{ secret: string }>['verify']>[0], string]> = [
    ['body', { method: 'POST', rawUrl: signed.rawUrl, headers: signed.headers, body: Buffer.from(body.replace('a@', 'b@')) }, 'auth.signature_mismatch'],
    ['method', { method: 'PUT', rawUrl: signed.rawUrl, headers: signed.headers, body: Buffer.from(body) }, 'auth.signature_mismatch'],
    ['path', { method: 'POST', rawUrl: signed.rawUrl.replace('a%20b', 'a%20c'), headers: signed.headers, body: Buffer.from(body) }, 'auth.signature_mismatch'],
    ['query', { method: 'POST', rawUrl: signed.rawUrl.replace('operation=add', 'operation=create'), headers: signed.headers, body: Buffer.from(body) }, 'auth.signature_mismatch'],
    ['host', { method: 'POST', rawUrl: signed.rawUrl, headers: { ...signed.headers, host: 'evil:8080' }, body: Buffer.from(body) }, 'auth.signature_mismatch'],
    ['no authorization', { method: 'POST', rawUrl: signed.rawUrl, headers: { ...signed.headers, authorization: undefined }, body: Buffer.from(body) }, 'auth.missing'],
  ];
  for (const [what, req, code] of refusals) {
    await assert.rejects(verifier(now).verify(req), (e: unknown) => e instanceof AppError && e.code === code, what);
  }
});

test('the clock skew allowed is 15 minutes either way', async () => {
  const signedAt = new Date('2026-11-28T10:00:00Z');
  const signed = await sign('/accounts', {}, '{}', signedAt);
  const at = (minutes: number) => verifier(new Date(signedAt.getTime() + minutes * 60_000)).verify({ method: 'POST', rawUrl: signed.rawUrl, headers: signed.headers, body: Buffer.from('{}') });
  await at(14);
  await at(-14);
  for (const m of [16, -16]) await assert.rejects(at(m), (e: unknown) => e instanceof AppError && e.code === 'auth.expired');
});

test('whatever the path, query, header spacing and body, what the official signer signs verifies (fast paths agree with the rules)', async () => {
  const now = new Date('2026-11-28T10:00:00Z');
  const segment = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9\-._~]{1,12}$/), // plain: the fast path
    fc.constantFrom('.', '..', ''), // dot segments and empty segments: the general rules
    fc.string({ unit: 'grapheme', maxLength: 8 }).map(encodeURIComponent),
  );
  const spacing = fc.constantFrom(' ', '  ', '\t', ' \t ', '');
  const headerValue = fc.tuple(spacing, fc.array(fc.stringMatching(/^[A-Za-z0-9;=/.-]{1,6}$/), { minLength: 1, maxLength: 4 }), spacing, spacing).map(([lead, words, gap, tail]) => lead + words.join(gap || ' ') + tail);
  await fc.assert(
    fc.asyncProperty(
      fc.array(segment, { minLength: 1, maxLength: 5 }),
      fc.boolean(),
      fc.dictionary(fc.stringMatching(/^[a-z-]{1,8}$/), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
      headerValue,
      fc.constantFrom('', '{}', '{"Name":"Acme"}'),
      async (segments, trailingSlash, query, agent, body) => {
        const path = '/' + segments.join('/') + (trailingSlash ? '/' : '');
        const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'chime', sha256: Hash.bind(null, 'sha256') });
        const headers: Record<string, string> = { host: '127.0.0.1:8080', 'x-carillon-test': agent, ...(body && { 'content-type': 'application/json' }) };
        const signed = await signer.sign(new HttpRequest({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 8080, path, query, headers, body }), { signingDate: now });
        const qs = Object.entries(query).map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`).join('&');
        const request = { method: 'POST', rawUrl: qs ? `${path}?${qs}` : path, headers: signed.headers, body: Buffer.from(body) };
        await verifier(now).verify(request);
        // And the same request with the header's words changed does not.
        await assert.rejects(verifier(now).verify({ ...request, headers: { ...signed.headers, 'x-carillon-test': agent + 'x' } }), (e: unknown) => e instanceof AppError && e.code === 'auth.signature_mismatch');
      },
    ),
    { numRuns: 300 },
  );
});
