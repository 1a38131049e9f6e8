// `carillon admins create|list|disable`, run as a real subprocess against the same data as a running server,
// whose console endpoints then honour (or refuse) what the command did.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCarillon, type CliRun } from './support/cli.js';
import { signedRequest } from './support/signed-request.js';
import { startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'Lantern-Harbor-42';
const ADDRESS = 'x@example.com';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(() => server?.stop());

const carillon = (...args: string[]) => runCarillon(server.env, ...args);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
type Reply = { status: number; headers: Headers; json: Json; text: string };

async function http(method: string, path: string, options: { body?: unknown; cookie?: string; csrf?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.cookie !== undefined) headers.cookie = `carillon_console=${options.cookie}`;
  if (options.csrf !== undefined) headers['x-carillon-csrf'] = options.csrf;
  const res = await fetch(server.url + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

type Session = { id: string; role: string; cookie: string; csrf: string };

function sessionFrom(r: Reply): Session {
  assert.equal(r.status, 200, r.text);
  const m = /^carillon_console=([A-Za-z0-9_-]+);/.exec(r.headers.get('set-cookie') ?? '');
  assert.ok(m, 'a session cookie');
  return { id: r.json.Administrator.AdministratorId, role: r.json.Administrator.Role, cookie: m[1]!, csrf: r.json.CsrfToken };
}

/** The link `admins create` printed, and its token. */
function linkIn(run: CliRun): { link: string; token: string } {
  assert.equal(run.code, 0, `admins create failed: ${run.stderr}`);
  const m = /(\S+\/console\/setup#token=([A-Za-z0-9_-]{43}))\s*$/m.exec(run.stdout);
  assert.ok(m, `a setup link in:\n${run.stdout}`);
  return { link: m[1]!, token: m[2]! };
}

async function setupTokenCount(): Promise<number> {
  const row = await server.services.db
    .selectFrom('admin_setup_tokens')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

type Listed = { id: string; email: string; name: string; role: string; createdAt: string; disabledAt: string | null };

async function listJson(): Promise<Listed[]> {
  const run = await carillon('admins', 'list', '--json');
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Listed[];
}

/** Audit events of an action, read through the API with the test's access key. */
async function auditOf(action: string): Promise<Json[]> {
  const r = await signedRequest(server.url, server.admin, { method: 'GET', path: '/audit-events', query: { action } });
  assert.equal(r.status, 200, r.text);
  return (r.json as Json).AuditEvents;
}

describe('carillon admins', () => {
  let x: Session;

  test('admins list on a fresh installation says how to create the first administrator', async () => {
    const [text, json] = await Promise.all([carillon('admins', 'list'), carillon('admins', 'list', '--json')]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /No administrators yet/);
    assert.match(text.stdout, /admins create --email/);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), []);
  });

  test('admins create prints a one-time link that the setup page accepts for that address and role', async () => {
    const run = await carillon('admins', 'create', '--email', ADDRESS, '--role', 'read-only');
    const { link, token } = linkIn(run);
    assert.ok(link.startsWith(`${server.services.config.publicUrl}/console/setup#token=`), link);
    assert.match(run.stdout, /x@example\.com/);
    assert.match(run.stdout, /read-only/);
    const validUntil = /valid until (\d{4}-\d{2}-\d{2}T[\d:.]+Z):/.exec(run.stdout);
    assert.ok(validUntil, run.stdout);
    const hours = (Date.parse(validUntil[1]!) - Date.now()) / 3_600_000;
    assert.ok(hours > 71 && hours <= 72, `valid for 72 hours, got ${hours}`);

    const stored = await server.services.db.selectFrom('admin_setup_tokens').selectAll().where('email', '=', ADDRESS).execute();
    assert.equal(stored.length, 1);
    assert.notEqual(stored[0]!.id, token, 'the token is stored hashed');

    const inspected = await http('POST', '/console/api/setup/inspect', { body: { Token: token } });
    assert.equal(inspected.status, 200, inspected.text);
    assert.deepEqual(inspected.json, { Email: ADDRESS, Role: 'read-only' });

    const [event] = await auditOf('InviteAdministrator');
    assert.equal(event.ActorType, 'cli');
    assert.equal(event.ResourceId, ADDRESS);
    assert.equal(event.Details.role, 'read-only');

    x = sessionFrom(await http('POST', '/console/api/setup', { body: { Token: token, Name: 'Xavier Example', Password: PASSWORD } }));
    assert.equal(x.role, 'read-only');
    assert.equal((await http('GET', '/accounts', { cookie: x.cookie, csrf: x.csrf })).status, 200);
    const write = await http('POST', '/accounts', { cookie: x.cookie, csrf: x.csrf, body: { Name: 'Not for readers' } });
    assert.equal(write.status, 403, write.text);

    // Without --role the link is for a full administrator.
    const full = linkIn(await carillon('admins', 'create', '--email', 'full-admin@example.com'));
    assert.deepEqual((await http('POST', '/console/api/setup/inspect', { body: { Token: full.token } })).json, { Email: 'full-admin@example.com', Role: 'full' });
  });

  test('command-line mistakes exit with code 2 and create no link', async () => {
    const tokens = await setupTokenCount();
    const mistakes: Record<string, string[]> = {
      'unknown role': ['admins', 'create', '--email', 'bad-role@example.com', '--role', 'superuser'],
      'missing --email': ['admins', 'create', '--role', 'full'],
      'empty --email': ['admins', 'create', '--email', ' '],
      'stray argument': ['admins', 'create', 'oops', '--email', 'stray@example.com'],
      'list with an argument': ['admins', 'list', 'everyone'],
      'disable without an address': ['admins', 'disable'],
      'disable with two addresses': ['admins', 'disable', ADDRESS, 'other@example.com'],
    };
    const runs = await Promise.all(Object.values(mistakes).map((args) => carillon(...args)));
    const codes = Object.fromEntries(Object.keys(mistakes).map((label, i) => [label, runs[i]!.code]));
    assert.deepEqual(codes, Object.fromEntries(Object.keys(mistakes).map((label) => [label, 2])));
    for (const run of runs) {
      assert.equal(run.stdout.includes('#token='), false);
      assert.ok(run.stderr.length > 0, 'a usage error explains itself on stderr');
    }
    assert.match(runs[0]!.stderr, /--role must be one of full, user-management, read-only/);
    assert.equal(await setupTokenCount(), tokens);
    assert.equal((await listJson()).some((a) => a.email === ADDRESS && a.disabledAt !== null), false, 'x was not disabled');

    // Not a usage mistake but a refusal: an active administrator cannot be invited again (exit 1).
    const taken = await carillon('admins', 'create', '--email', 'X@Example.com', '--role', 'full');
    assert.equal(taken.code, 1);
    assert.equal(taken.stdout, '');
    assert.match(taken.stderr, /already an administrator/);
    const invalid = await carillon('admins', 'create', '--email', 'not-an-address');
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /not an email address/);
    assert.equal(await setupTokenCount(), tokens);
  });

  test('admins list shows each administrator with role and status, never a password hash; --json for scripts', async () => {
    const [text, admins] = await Promise.all([carillon('admins', 'list'), listJson()]);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trim().split('\n');
    assert.deepEqual(lines[0]!.trim().split(/\s{2,}/), ['EMAIL', 'NAME', 'ROLE', 'CREATED', 'STATUS']);
    const row = lines.map((l) => l.trim().split(/\s{2,}/)).find((cols) => cols[0] === ADDRESS);
    assert.ok(row, text.stdout);
    assert.deepEqual([row[1], row[2], row[4]], ['Xavier Example', 'read-only', 'active']);
    assert.ok(!Number.isNaN(Date.parse(row[3]!)));

    assert.equal(admins.length, 1, 'links not yet used are not administrators');
    assert.deepEqual(admins[0], { id: x.id, email: ADDRESS, name: 'Xavier Example', role: 'read-only', createdAt: admins[0]!.createdAt, disabledAt: null });
    for (const out of [text.stdout, JSON.stringify(admins)]) assert.equal(out.includes('$argon2'), false);
  });

  test('admins disable ends their sessions at once and stops sign-in; an unknown address exits 1', async () => {
    const second = sessionFrom(await http('POST', '/console/api/session', { body: { Email: ADDRESS, Password: PASSWORD } }));
    for (const s of [x, second]) assert.equal((await http('GET', '/console/api/session', { cookie: s.cookie })).status, 200);

    const run = await carillon('admins', 'disable', ADDRESS);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Disabled x@example\.com; their console sessions have ended\./);

    for (const s of [x, second]) {
      const me = await http('GET', '/console/api/session', { cookie: s.cookie });
      assert.equal(me.status, 401, me.text);
      const call = await http('GET', '/accounts', { cookie: s.cookie, csrf: s.csrf });
      assert.equal(call.status, 401, call.text);
      assert.equal(call.json.Code, 'Unauthorized');
    }
    const signIn = await http('POST', '/console/api/session', { body: { Email: ADDRESS, Password: PASSWORD } });
    assert.equal(signIn.status, 401, signIn.text);

    const [listed] = (await listJson()).filter((a) => a.email === ADDRESS);
    assert.ok(listed?.disabledAt && !Number.isNaN(Date.parse(listed.disabledAt)), 'disabledAt is set');
    const text = await carillon('admins', 'list');
    assert.match(text.stdout, new RegExp(`x@example\\.com.*disabled ${listed.disabledAt.replace(/[.]/g, '\\.')}`));
    const [event] = await auditOf('DisableAdministrator');
    assert.equal(event.ActorType, 'cli');
    assert.equal(event.ResourceId, x.id);

    const [again, unknown, viaFlag] = await Promise.all([
      carillon('admins', 'disable', ADDRESS),
      carillon('admins', 'disable', 'nobody@example.com'),
      carillon('admins', 'disable', '--email', 'nobody@example.com'),
    ]);
    for (const r of [again, unknown, viaFlag]) {
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, '');
    }
    assert.match(again.stderr, /No active administrator x@example\.com/);
    assert.match(unknown.stderr, /No active administrator nobody@example\.com/);
    assert.match(viaFlag.stderr, /No active administrator nobody@example\.com/);
  });

  test('admins create for a disabled administrator brings the same record back with the new role', async () => {
    const { token } = linkIn(await carillon('admins', 'create', '--email', ADDRESS, '--role', 'user-management'));
    const back = sessionFrom(await http('POST', '/console/api/setup', { body: { Token: token, Name: 'Xavier Again', Password: 'Quiet-Meadow-Falcon-7' } }));
    assert.equal(back.id, x.id);
    assert.equal(back.role, 'user-management');
    const [listed] = (await listJson()).filter((a) => a.email === ADDRESS);
    assert.deepEqual([listed?.role, listed?.name, listed?.disabledAt], ['user-management', 'Xavier Again', null]);
    assert.equal((await http('GET', '/console/api/session', { cookie: x.cookie })).status, 401, 'the sessions ended by disabling stay ended');
  });
});
