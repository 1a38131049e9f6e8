// Claimed domains, against a real DNS server (dns2, UDP and TCP) and a real Carillon on both engines: names are
// normalised or refused; a claim is verified only by its exact TXT value, however DNS answers (missing, wrong,
// NXDOMAIN, SERVFAIL, split strings, truncated UDP, many records, silence); a domain has one owner however two
// accounts race; the first verified domain makes a Team account Enterprise and brings the domain's people under
// it; a vanished record is reported, not acted on; a claim fails after 30 days; releasing signs the domain's
// people out everywhere, Released or still Suspended, and the last release makes the account Team again.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { BatchSuspendUserCommand, CreateAccountCommand, DeleteAccountCommand, GetAccountCommand, InviteUsersCommand, ListUsersCommand } from '@aws-sdk/client-chime';
import { DAY_MS, ManualClock } from '../src/platform/clock.js';
import type { Domain } from '../src/domains/domains-wire.js';
import { Browser, csrfOf } from './support/browser.js';
import { runCarillon } from './support/cli.js';
import { startDnsServer, type DnsServer } from './support/dns-server.js';
import { signedRequest, type RawResponse } from './support/signed-request.js';
import { startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'Harbour-Lantern-Quartz-1906';
const clock = new ManualClock();
let dns: DnsServer;
let server: TestServer;

before(async () => {
  dns = await startDnsServer();
  // Lookups give up after 300 ms here (the production default is longer), so that the silent server's test is quick.
  server = await startTestServer({ clock, env: { CARILLON_DNS_SERVERS: dns.address, CARILLON_JOBS_POLL_MS: '50' } });
});
after(async () => {
  await server.stop();
  await dns.close();
});

const hex = () => randomBytes(4).toString('hex');
const newDomain = (label = 'acme') => `${label}-${hex()}.test`;

async function account(label = 'Team'): Promise<string> {
  const { Account } = await server.client.send(new CreateAccountCommand({ Name: `${label} ${hex()}` }));
  return Account!.AccountId!;
}

async function api(method: string, path: string, body?: unknown, query?: Record<string, string>) {
  const r = await signedRequest(server.url, server.admin, { method, path, ...(query && { query }), ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  return r as RawResponse & { json: any };
}

const claim = (accountId: string, name: string) => api('POST', `/accounts/${accountId}/domains`, { DomainName: name });
const verify = (accountId: string, name: string) => api('POST', `/accounts/${accountId}/domains/${encodeURIComponent(name)}`, {}, { operation: 'verify' });
const getDomain = (accountId: string, name: string) => api('GET', `/accounts/${accountId}/domains/${encodeURIComponent(name)}`);
const release = (accountId: string, name: string) => api('DELETE', `/accounts/${accountId}/domains/${encodeURIComponent(name)}`);

async function claimed(accountId: string, name: string): Promise<Domain> {
  const r = await claim(accountId, name);
  assert.equal(r.status, 201, r.text);
  return r.json.Domain;
}

/** Publishes the claim's record (beside whatever the zone holds already). */
function publish(d: Domain, extra: Partial<Parameters<DnsServer['zones']['set']>[1]> = {}) {
  const zone = dns.zones.get(d.VerificationRecord.Name) ?? {};
  dns.zones.set(d.VerificationRecord.Name, { ...zone, txt: [...(zone.txt ?? []), [d.VerificationRecord.Value]], ...extra });
}

async function verifiedDomain(accountId: string, name = newDomain()): Promise<Domain> {
  const d = await claimed(accountId, name);
  publish(d);
  const v = await verify(accountId, name);
  assert.equal(v.json.Domain.Status, 'Verified', v.text);
  return v.json.Domain;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function domainRow(name: string, accountId: string) {
  return server.services.db.selectFrom('domains').selectAll().where('name', '=', name).where('account_id', '=', accountId).executeTakeFirstOrThrow();
}

/** A person who registered on /register and followed the link in their mail: verified, signed in, in no account. */
async function registered(address: string): Promise<Browser> {
  const b = new Browser(server.url);
  const page = await b.get('/register');
  const r = await b.post('/register', { csrf: csrfOf(page.text), name: address.split('@')[0]!, email: address, password: PASSWORD });
  assert.equal(r.status, 200, r.text);
  const mail = await server.services.db.selectFrom('outbox').selectAll().where('recipient', '=', address).orderBy('id', 'desc').executeTakeFirstOrThrow();
  const link = /\/verify-email\/[A-Za-z0-9_-]+/.exec(mail.text_body)![0];
  const v = await b.get(link);
  assert.equal(v.status, 303, v.text);
  return b;
}

async function signIn(address: string): Promise<Browser> {
  const b = new Browser(server.url);
  const page = await b.get('/signin');
  const step = await b.post('/signin', { csrf: csrfOf(page.text), return_to: '', email: address });
  const r = await b.post('/signin', { csrf: csrfOf(step.text), return_to: '', email: address, password: PASSWORD });
  assert.equal(r.status, 303, `${address} signs in: ${r.text.slice(0, 300)}`);
  return b;
}

/** Whether the browser's session still works (the signed-in page answers, instead of sending to sign-in). */
const signedIn = async (b: Browser) => (await b.get('/me')).status === 200;

async function members(accountId: string) {
  const out = new Map<string, string>();
  for (let token: string | undefined; ; ) {
    const { Users, NextToken } = await server.client.send(new ListUsersCommand({ AccountId: accountId, NextToken: token }));
    for (const u of Users ?? []) out.set(u.PrimaryEmail!, u.UserRegistrationStatus!);
    if (!NextToken) return out;
    token = NextToken;
  }
}

describe('domain names', () => {
  test('upper case, a trailing dot and Unicode are one spelling, stored once; a homograph is its own punycode name', async () => {
    const a = await account();
    const base = `Acme-${hex()}`;
    const d = await claimed(a, `${base.toUpperCase()}.Test.`);
    assert.equal(d.DomainName, `${base.toLowerCase()}.test`);
    assert.equal(d.Status, 'PendingVerification');
    assert.equal(d.VerificationRecord.Type, 'TXT');
    assert.equal(d.VerificationRecord.Name, `_carillon.${base.toLowerCase()}.test`);
    const again = await claim(a, `${base.toLowerCase()}.test`);
    assert.equal(again.status, 409, 'the same domain in another spelling is the same claim');
    assert.equal((await getDomain(a, `${base}.TEST`)).json.Domain.DomainName, d.DomainName);

    const latin = await claimed(a, `example-${hex()}.com`);
    const cyrillic = latin.DomainName.replace('example', 'ex\u0430mple'); // а, U+0430
    const homograph = await claimed(a, cyrillic);
    assert.match(homograph.DomainName, /^xn--/);
    assert.notEqual(homograph.DomainName, latin.DomainName);
    const rows = await server.services.db.selectFrom('domains').select('name').where('account_id', '=', a).execute();
    assert.equal(rows.length, 3);
    assert.equal(new Set(rows.map((r) => r.name)).size, 3);
  });

  test('what is not one registrable host name is refused with the reason, and stores nothing', async () => {
    const a = await account();
    const cases: Array<[string, RegExp]> = [
      ['*.example.org', /wildcard/],
      ['192.0.2.10', /IP address/],
      ['[2001:db8::1]', /IP address/],
      ['0x7f.1', /IP address/],
      ['localhost', /single label/],
      [`${'a'.repeat(64)}.example.org`, /63 characters/],
      [`${Array.from({ length: 60 }, () => 'abcd').join('.')}.org`, /253 characters/],
      ['co.uk', /public suffix/],
      ['com', /single label/],
      ['github.io', /public suffix/],
      ['gmail.com', /public email provider/],
      ['outlook.com', /public email provider/],
      ['https://example.org/', /without a scheme/],
      ['bob@example.org', /not an email address/],
      ['exa_mple.org', /not a host name/],
      ['-example.org', /not a host name/],
      ['', /Enter a domain/],
    ];
    for (const [name, reason] of cases) {
      const r = await claim(a, name);
      assert.equal(r.status, 400, `${name}: ${r.text}`);
      assert.equal(r.headers['x-amzn-errortype'], 'BadRequestException');
      assert.match(r.json.Message, reason, name);
    }
    assert.equal((await api('GET', `/accounts/${a}/domains`)).json.Domains.length, 0);
    // A subdomain of one's own domain, and a name under a private suffix, are claimable.
    assert.equal((await claim(a, `eu.acme-${hex()}.com`)).status, 201);
    assert.equal((await claim(a, `team-${hex()}.github.io`)).status, 201);
  });
});

describe('listing and the CLI', () => {
  test('ListDomains pages with NextToken in claim order, and GetDomain finds a claim by any spelling of its name', async () => {
    const a = await account();
    const names = [newDomain('one'), newDomain('two'), newDomain('three')];
    for (const n of names) await claimed(a, n);
    const first = await api('GET', `/accounts/${a}/domains`, undefined, { 'max-results': '2' });
    assert.deepEqual(first.json.Domains.map((d: Domain) => d.DomainName), names.slice(0, 2));
    assert.ok(first.json.NextToken);
    const second = await api('GET', `/accounts/${a}/domains`, undefined, { 'max-results': '2', 'next-token': first.json.NextToken });
    assert.deepEqual(second.json.Domains.map((d: Domain) => d.DomainName), names.slice(2));
    assert.equal(second.json.NextToken, undefined);
    assert.equal((await api('GET', `/accounts/${a}/domains`, undefined, { 'next-token': 'garbage' })).status, 400);
    assert.equal((await getDomain(a, `${names[1]!.toUpperCase()}.`)).json.Domain.DomainName, names[1]);
    assert.equal((await getDomain(a, newDomain('never'))).status, 404);
  });

  test('carillon domains claim | list | verify | release', async () => {
    const a = await account();
    const name = newDomain('cli');
    const carillon = (...args: string[]) => runCarillon(server.env, 'domains', ...args);
    const claimedOut = await carillon('claim', '--account', a, name.toUpperCase());
    assert.equal(claimedOut.code, 0, claimedOut.stderr);
    const value = /"(carillon-domain-verification=[A-Za-z0-9_-]+)"/.exec(claimedOut.stdout)?.[1];
    assert.ok(value, claimedOut.stdout);
    assert.match(claimedOut.stdout, new RegExp(`_carillon\\.${name.replace(/\./g, '\\.')}`));
    const listed = await carillon('list', '--account', a);
    assert.match(listed.stdout, new RegExp(`${name.replace(/\./g, '\\.')}\\s+PendingVerification`));
    dns.zones.set(`_carillon.${name}`, { txt: [[value]] });
    const verified = await carillon('verify', '--account', a, name);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /Verified \(last check: Found\)/);
    const released = await carillon('release', '--account', a, name);
    assert.equal(released.code, 0, released.stderr);
    assert.match(released.stdout, /Team account again/);
    assert.equal((await getDomain(a, name)).status, 404);
    assert.equal((await carillon('claim', name)).code, 2, 'a claim without --account is a usage error');
    const refused = await carillon('claim', '--account', a, 'gmail.com');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /public email provider/);
  });
});

describe('verification against DNS', () => {
  test('pending until the exact value is published; then Verified, and the Team account becomes EnterpriseLWA', async () => {
    const a = await account();
    const name = newDomain();
    const d = await claimed(a, name);
    assert.ok(d.VerificationRecord.Value.length >= 40, 'the value is long enough not to be guessed');
    assert.notEqual((await claimed(await account(), name)).VerificationRecord.Value, d.VerificationRecord.Value, 'each claim has its own value');

    let r = await verify(a, name);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.Domain.Status, 'PendingVerification');
    assert.equal(r.json.Domain.LastCheckResult, 'NotFound', 'NXDOMAIN reads as a missing record');
    assert.ok(r.json.Domain.LastCheckedTimestamp);

    dns.zones.set(d.VerificationRecord.Name, { txt: [['carillon-domain-verification=someone-elses']] });
    r = await verify(a, name);
    assert.equal(r.json.Domain.LastCheckResult, 'WrongValue');
    assert.equal(r.json.Domain.Status, 'PendingVerification');

    dns.zones.set(d.VerificationRecord.Name, { txt: [] });
    assert.equal((await verify(a, name)).json.Domain.LastCheckResult, 'NotFound', 'the name with no TXT record (NODATA)');

    assert.equal((await server.client.send(new GetAccountCommand({ AccountId: a }))).Account!.AccountType, 'Team');
    publish(d);
    r = await verify(a, name);
    assert.equal(r.json.Domain.Status, 'Verified');
    assert.equal(r.json.Domain.LastCheckResult, 'Found');
    assert.ok(r.json.Domain.VerifiedTimestamp);
    assert.equal((await server.client.send(new GetAccountCommand({ AccountId: a }))).Account!.AccountType, 'EnterpriseLWA');
    const audit = await server.services.db.selectFrom('audit_events').select('action').where('account_id', '=', a).execute();
    assert.ok(audit.some((e) => e.action === 'ClaimDomain'));
    assert.ok(audit.some((e) => e.action === 'VerifyDomain'));
    assert.ok(audit.some((e) => e.action === 'ChangeAccountType'));
  });

  test('SERVFAIL and silence are retried and never taken for success; then the record is found', async () => {
    const a = await account();
    const d = await claimed(a, newDomain());
    publish(d, { servfail: 1 });
    let r = await verify(a, d.DomainName);
    assert.equal(r.json.Domain.LastCheckResult, 'ServerFailure');
    assert.equal(r.json.Domain.Status, 'PendingVerification');
    r = await verify(a, d.DomainName);
    assert.equal(r.json.Domain.LastCheckResult, 'Found');
    assert.equal(r.json.Domain.Status, 'Verified');

    const b = await claimed(a, newDomain());
    publish(b, { silent: true });
    r = await verify(a, b.DomainName);
    assert.equal(r.json.Domain.LastCheckResult, 'Timeout');
    assert.equal(r.json.Domain.Status, 'PendingVerification');
  });

  test('a record split into several strings is joined; among twenty other TXT records ours is found', async () => {
    const a = await account();
    const d = await claimed(a, newDomain());
    const v = d.VerificationRecord.Value;
    dns.zones.set(d.VerificationRecord.Name, { txt: [[v.slice(0, 10), v.slice(10, 30), v.slice(30)]] });
    assert.equal((await verify(a, d.DomainName)).json.Domain.Status, 'Verified');

    const e = await claimed(a, newDomain());
    const others = Array.from({ length: 20 }, (_, i) => [`v=spf1 include:_spf${i}.example.org ~all`, `site-verification=${randomBytes(16).toString('hex')}`]);
    dns.zones.set(e.VerificationRecord.Name, { txt: [...others.slice(0, 10), [e.VerificationRecord.Value], ...others.slice(10)] });
    assert.equal((await verify(a, e.DomainName)).json.Domain.Status, 'Verified');
  });

  test('a truncated UDP answer is asked again over TCP', async () => {
    const a = await account();
    const d = await claimed(a, newDomain());
    publish(d, { truncateUdp: true });
    const tcpBefore = dns.queries.tcp;
    const r = await verify(a, d.DomainName);
    assert.equal(r.json.Domain.Status, 'Verified', r.text);
    assert.ok(dns.queries.tcp > tcpBefore, 'the answer came over TCP');
  });

  test('the sweep checks due claims through durable jobs, with back-off from minutes to hourly', async () => {
    const a = await account();
    const d = await claimed(a, newDomain());
    const first = await domainRow(d.DomainName, a);
    assert.equal(Date.parse(first.next_check_at!) - Date.parse(first.claimed_at), 60_000, 'the first check a minute after claiming');
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const before = await domainRow(d.DomainName, a);
      clock.set(new Date(Date.parse(before.next_check_at!) + 1));
      await server.services.domains.sweep();
      const after = await eventually('the check job', async () => {
        const row = await domainRow(d.DomainName, a);
        return row.checks > before.checks && row;
      });
      assert.equal(after.last_check_result, 'NotFound');
      waits.push((Date.parse(after.next_check_at!) - Date.parse(after.last_checked_at!)) / 60_000);
    }
    clock.set(new Date());
    assert.deepEqual(waits, [2, 5, 10, 15, 30, 60, 60, 60]);
  });

  test('a claim not verified within 30 days fails; claiming again starts over with a new value', async () => {
    const a = await account();
    const d = await claimed(a, newDomain());
    try {
      clock.advance(30 * DAY_MS + 1000);
      const row = await domainRow(d.DomainName, a);
      await server.services.domains.check(row.id);
      const failed = await domainRow(d.DomainName, a);
      assert.equal(failed.status, 'Failed');
      assert.equal(failed.next_check_at, null, 'no more checks');
    } finally {
      clock.set(new Date());
    }
    const r = await verify(a, d.DomainName);
    assert.equal(r.status, 400);
    assert.match(r.json.Message, /Claim the domain again/);
    const again = await claimed(a, d.DomainName);
    assert.equal(again.Status, 'PendingVerification');
    assert.notEqual(again.VerificationRecord.Value, d.VerificationRecord.Value);
    publish(d); // the old value proves nothing any more
    assert.equal((await verify(a, d.DomainName)).json.Domain.Status, 'PendingVerification');
    publish(again);
    assert.equal((await verify(a, d.DomainName)).json.Domain.Status, 'Verified');
  });

  test('a verified record that disappears is reported (audit, the claim, the full administrators by email), nothing is released', async () => {
    const { link } = await server.services.admins.createSetupLink({ type: 'system', id: 'test' }, { email: `ops-${hex()}@example.com`, role: 'full' });
    const token = /#token=([A-Za-z0-9_-]+)$/.exec(link)![1]!;
    const adminEmail = (await server.services.admins.inspectSetup(token)).email!;
    await server.services.admins.completeSetup({ token, email: adminEmail, name: 'Ops', password: PASSWORD, sourceIp: '127.0.0.1' });
    const a = await account();
    const d = await verifiedDomain(a);
    dns.zones.delete(d.VerificationRecord.Name);
    try {
      clock.advance(DAY_MS + 1000);
      await server.services.domains.sweep();
      const row = await eventually('the daily check', async () => {
        const r = await domainRow(d.DomainName, a);
        return r.last_check_result === 'NotFound' && r;
      });
      assert.equal(row.status, 'Verified', 'a vanished record releases nothing');
      assert.ok(row.record_missing_since);
    } finally {
      clock.set(new Date());
    }
    const shown = (await getDomain(a, d.DomainName)).json.Domain as Domain;
    assert.equal(shown.Status, 'Verified');
    assert.equal(shown.LastCheckResult, 'NotFound');
    assert.ok(shown.RecordMissingSince);
    const audit = await server.services.db.selectFrom('audit_events').select('action').where('account_id', '=', a).where('action', '=', 'DomainRecordMissing').execute();
    assert.equal(audit.length, 1);
    const mail = await server.services.db.selectFrom('outbox').selectAll().where('recipient', '=', adminEmail).execute();
    assert.equal(mail.length, 1);
    assert.match(mail[0]!.subject, new RegExp(`DNS record of ${d.DomainName.replace(/\./g, '\\.')} has disappeared`));
    assert.equal((await server.client.send(new GetAccountCommand({ AccountId: a }))).Account!.AccountType, 'EnterpriseLWA');
  });
});

describe('one owner per domain', () => {
  test('anyone may hold a pending claim; the first to verify wins and the others fail; a verified domain cannot be claimed', async () => {
    const [a, b, c] = [await account(), await account(), await account()];
    const name = newDomain();
    const da = await claimed(a, name);
    const db = await claimed(b, name);
    publish(da);
    publish(db);
    assert.equal((await verify(a, name)).json.Domain.Status, 'Verified');
    const lost = (await getDomain(b, name)).json.Domain as Domain;
    assert.equal(lost.Status, 'Failed');
    assert.equal(lost.LastCheckResult, 'ClaimedByAnotherAccount');
    const r = await claim(c, name);
    assert.equal(r.status, 409);
    assert.equal(r.headers['x-amzn-errortype'], 'ConflictException');
    assert.match(r.json.Message, /claimed by another organization/);
  });

  test('two accounts verifying at the same instant: exactly one wins, every time', async () => {
    for (let i = 0; i < 25; i++) {
      const [a, b] = [await account(), await account()];
      const name = newDomain('race');
      const da = await claimed(a, name);
      const db = await claimed(b, name);
      publish(da);
      publish(db);
      const ids = await Promise.all([domainRow(name, a), domainRow(name, b)]);
      await Promise.all(ids.map((row) => server.services.domains.check(row.id)));
      const rows = await server.services.db.selectFrom('domains').select(['account_id', 'status', 'last_check_result']).where('name', '=', name).execute();
      assert.equal(rows.filter((r) => r.status === 'Verified').length, 1, `round ${i}: one owner`);
      assert.equal(rows.filter((r) => r.status === 'Failed' && r.last_check_result === 'ClaimedByAnotherAccount').length, 1, `round ${i}: the other failed`);
    }
  });
});

describe('Team to Enterprise, and release', () => {
  test("the domain's people come under the account; Team accounts can no longer invite them", async () => {
    const enterprise = await account('Acme');
    const other = await account('Other team');
    const name = newDomain();
    // Before the claim: a member of another Team account, an unmanaged person, an invitee elsewhere, and a member
    // of the claiming account whose address is outside the domain.
    const moved = `moved-${hex()}@${name}`;
    const free = `free-${hex()}@${name}`;
    const invitee = `invitee-${hex()}@${name}`;
    const outsider = `outsider-${hex()}@elsewhere-${hex()}.test`;
    await registered(moved);
    await server.client.send(new InviteUsersCommand({ AccountId: other, UserEmailList: [moved, invitee] }));
    await server.services.db.transaction().execute(async (trx) => {
      const identity = (await server.services.signin.findIdentityByEmail(moved, trx))!;
      const user = (await server.services.users.membersByEmail(trx, other, [moved])).get(moved)!;
      await server.services.users.registerInvitee(trx, { user, account: (await server.services.accounts.getAccount(other, trx))!, identityId: identity.id, displayName: null });
    });
    await registered(free);
    await registered(outsider);
    await server.services.db.transaction().execute(async (trx) => {
      const identity = (await server.services.signin.findIdentityByEmail(outsider, trx))!;
      await server.services.users.provisionMember(trx, { type: 'system', id: 'test' }, { accountId: enterprise, identityId: identity.id, email: outsider, displayName: null, license: undefined });
    });
    assert.equal((await members(other)).get(moved), 'Registered');

    await verifiedDomain(enterprise, name);
    const after = await eventually('the people of the domain to join', async () => {
      const m = await members(enterprise);
      return m.get(moved) === 'Registered' && m.get(free) === 'Registered' && m;
    });
    assert.equal(after.get(outsider), 'Registered', 'a member outside the claimed domain stays');
    const left = await members(other);
    assert.equal(left.has(moved), false, 'the member of the other Team account moved');
    assert.equal(left.has(invitee), false, 'the invitee of the other Team account is no longer theirs');
    for (const address of [moved, free]) {
      const mail = await server.services.db.selectFrom('outbox').selectAll().where('recipient', '=', address).where('subject', 'like', 'Your Carillon address now belongs to%').execute();
      assert.equal(mail.length, 1, `${address} is told once`);
    }
    // Team accounts cannot invite an address of the domain any more.
    const { Invites } = await server.client.send(new InviteUsersCommand({ AccountId: other, UserEmailList: [`new-${hex()}@${name}`, `ok-${hex()}@other-${hex()}.test`] }));
    assert.deepEqual(Invites!.map((i) => [i.Status, i.EmailStatus]), [['Failed', 'Failed'], ['Pending', 'NotSent']]);
    // Someone who registers with an address of the domain afterwards joins at once.
    const late = `late-${hex()}@${name}`;
    await registered(late);
    assert.equal((await members(enterprise)).get(late), 'Registered');
  });

  test('release: everyone of the domain signed out at once, Registered become Released, Suspended stay; the last release makes the account Team', async () => {
    const a = await account('Release');
    const name = newDomain();
    const stays = `stays-${hex()}@${name}`;
    const suspended = `suspended-${hex()}@${name}`;
    const outsider = `outsider-${hex()}@elsewhere-${hex()}.test`;
    const second = newDomain('second');
    await verifiedDomain(a, name);
    await verifiedDomain(a, second);
    await registered(stays);
    await registered(suspended);
    await registered(outsider);
    await server.services.db.transaction().execute(async (trx) => {
      const identity = (await server.services.signin.findIdentityByEmail(outsider, trx))!;
      await server.services.users.provisionMember(trx, { type: 'system', id: 'test' }, { accountId: a, identityId: identity.id, email: outsider, displayName: null, license: undefined });
    });
    const browser = await signIn(stays);
    const outsiderBrowser = await signIn(outsider);
    assert.ok(await signedIn(browser));
    const { Users } = await server.client.send(new ListUsersCommand({ AccountId: a, UserEmail: suspended }));
    await server.client.send(new BatchSuspendUserCommand({ AccountId: a, UserIdList: [Users![0]!.UserId!] }));
    const identity = (await server.services.signin.findIdentityByEmail(stays))!;
    const issuedBefore = Math.floor(Date.now() / 1000) - 1;
    assert.equal(await server.services.signin.tokensStillValid(identity.id, issuedBefore + 1), true);

    // An Enterprise account cannot be deleted while it holds domains.
    await assert.rejects(server.client.send(new DeleteAccountCommand({ AccountId: a })), { name: 'UnprocessableEntityException' });

    // What the console's confirmation counts: the domain's members by status.
    const count = async (status: string, domain?: string) =>
      (await api('GET', `/accounts/${a}/user-count`, undefined, { 'registration-status': status, ...(domain && { 'email-domain': domain }) })).json.UserCount;
    assert.deepEqual([await count('Registered', name), await count('Suspended', name), await count('Registered')], [1, 1, 2]);
    await new Promise((r) => setTimeout(r, 1100)); // a token issued a whole second before the release
    clock.set(new Date()); // this file's clock stands still unless set: the release happens now
    const r = await release(a, name);
    assert.equal(r.status, 204, r.text);
    assert.equal((await getDomain(a, name)).status, 404);
    let m = await members(a);
    assert.equal(m.get(stays), 'Released');
    assert.equal(m.get(suspended), 'Suspended');
    assert.equal(m.get(outsider), 'Registered', 'the account still has a domain: members outside it stay');
    assert.equal(await signedIn(browser), false, 'the session ended at once');
    assert.equal(await server.services.signin.tokensStillValid(identity.id, issuedBefore + 1), false, 'tokens issued before the release are dead');
    assert.ok(await signedIn(outsiderBrowser));
    assert.equal((await server.client.send(new GetAccountCommand({ AccountId: a }))).Account!.AccountType, 'EnterpriseLWA');

    // Released, the person may sign in again, in no account; suspended, the address stays blocked.
    clock.advance(1000);
    const again = await signIn(stays);
    assert.ok(await signedIn(again));
    assert.equal((await server.services.users.membershipOf(identity.id)) === undefined, true);
    const blocked = new Browser(server.url);
    const page = await blocked.get('/signin');
    const step = await blocked.post('/signin', { csrf: csrfOf(page.text), return_to: '', email: suspended });
    const refused = await blocked.post('/signin', { csrf: csrfOf(step.text), return_to: '', email: suspended, password: PASSWORD });
    assert.notEqual(refused.status, 303);
    assert.match(refused.text, /suspended/i);

    assert.equal((await release(a, second)).status, 204);
    assert.equal((await server.client.send(new GetAccountCommand({ AccountId: a }))).Account!.AccountType, 'Team');
    m = await members(a);
    assert.equal(m.get(outsider), 'Suspended', 'releasing the last domain suspends the remaining members (§9 item 5)');
    assert.equal(await signedIn(outsiderBrowser), false);
  });

  test('reading needs read-only, claiming and releasing full access; another account is out of reach', async () => {
    const a = await account();
    const b = await account();
    const name = newDomain();
    await claimed(a, name);
    const readOnly = await server.createKey('read-only');
    const scopedB = await server.createKey('full', b);
    const as = (creds: typeof readOnly, method: string, path: string, body?: unknown) =>
      signedRequest(server.url, creds, { method, path, ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    assert.equal((await as(readOnly, 'GET', `/accounts/${a}/domains`)).status, 200);
    assert.equal((await as(readOnly, 'POST', `/accounts/${a}/domains`, { DomainName: newDomain() })).status, 403);
    assert.equal((await as(readOnly, 'DELETE', `/accounts/${a}/domains/${name}`)).status, 403);
    assert.equal((await as(scopedB, 'GET', `/accounts/${a}/domains/${name}`)).status, 403);
    assert.equal((await as(scopedB, 'DELETE', `/accounts/${a}/domains/${name}`)).status, 403);
    assert.equal((await getDomain(a, name)).status, 200, 'still there');
  });
});
