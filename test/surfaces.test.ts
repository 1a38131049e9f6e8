// Each surface answers in its own protocol's shape: the Chime API with x-amzn-ErrorType, {Code, Message} and
// Carillon's own code as Reason; the end-user pages in HTML; SCIM (RFC 7644) with bearer keys and its error body.
// A module of this test adds a SCIM resource and a bearer-key authenticator, as the SCIM capability will.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../src/platform/errors.js';
import { defineModule } from '../src/platform/module.js';
import { registry } from '../src/registry.js';
import { signedRequest } from './support/signed-request.js';
import { startTestServer, type TestServer } from './support/server.js';

const KEY = 'scim-test-key-0123456789abcdef';
const scimModule = defineModule({
  name: 'test-scim',
  scimAuthenticator: () => async (token) => (token === KEY ? { kind: 'scim_key', id: 'key-1', accountId: 'account-1' } : undefined),
  scim: (app, _services, kit) => {
    app.get('/ServiceProviderConfig', async (request, reply) =>
      kit.send(reply, 200, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'], account: kit.principal(request).accountId }),
    );
    app.post('/Users', async () => {
      throw new AppError('user.email_taken', 'A user with this userName already exists.');
    });
  },
});

let server: TestServer;
before(async () => {
  server = await startTestServer({ modules: [...registry, scimModule] });
});
after(() => server.stop());

const scim = (path: string, init: RequestInit = {}) => fetch(`${server.url}/scim/v2${path}`, init);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('the SCIM surface', () => {
  test('without a bearer key, or with an unknown one, every path is 401 in the RFC 7644 error shape', async () => {
    for (const [path, headers] of [
      ['/ServiceProviderConfig', {}],
      ['/ServiceProviderConfig', bearer('not-the-key-0123456789')],
      ['/Nowhere', {}],
    ] as const) {
      const res = await scim(path, { headers });
      assert.equal(res.status, 401, path);
      assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      const body = (await res.json()) as Record<string, unknown>;
      assert.deepEqual(body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
      assert.equal(body.status, '401');
      assert.equal(typeof body.detail, 'string');
    }
  });

  test("with the key, the module's resource answers for the key's account; errors take the SCIM table", async () => {
    const ok = await scim('/ServiceProviderConfig', { headers: bearer(KEY) });
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-type') ?? '', /^application\/scim\+json/);
    assert.equal(((await ok.json()) as { account: string }).account, 'account-1');
    const conflict = await scim('/Users', { method: 'POST', headers: { ...bearer(KEY), 'content-type': 'application/scim+json' }, body: '{}' });
    assert.equal(conflict.status, 409);
    assert.deepEqual(await conflict.json(), { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '409', scimType: 'uniqueness', detail: 'A user with this userName already exists.' });
    const missing = await scim('/Nowhere', { headers: bearer(KEY) });
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { status: string }).status, '404');
  });
});

describe('the Chime API and the pages', () => {
  test("a Chime error body carries Carillon's own code as Reason, beside Code and Message", async () => {
    const r = await signedRequest(server.url, server.admin, { method: 'GET', path: '/accounts/0190f0f0-0000-7000-8000-000000000000' });
    assert.equal(r.status, 404);
    assert.equal(r.headers['x-amzn-errortype'], 'NotFoundException');
    assert.deepEqual(Object.keys(r.json as object).sort(), ['Code', 'Message', 'Reason']);
    assert.equal((r.json as { Reason: string }).Reason, 'account.not_found');
  });

  test('an end-user page refuses in HTML, with its own status table', async () => {
    const res = await fetch(`${server.url}/invitations/${'A'.repeat(43)}`);
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await res.text(), /This invitation link is not valid/);
  });
});
