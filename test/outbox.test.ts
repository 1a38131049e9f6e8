// The outbox's lease on both engines: claims running at once each get mails of their own, never the same one.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { outboxRepository } from '../src/mail/outbox-repository.js';
import { migrateToLatest, openDatabase, type OpenedDatabase } from '../src/platform/db/database.js';
import { uuidv7 } from '../src/platform/ids.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let database: TestDatabase;
let dataDir: string;
let opened: OpenedDatabase;
const now = '2026-11-28T10:00:00.000Z';
const leaseUntil = '2026-11-28T10:01:00.000Z';

before(async () => {
  database = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carillon-outbox-'));
  opened = openDatabase({ databaseUrl: database.databaseUrl, dataDir });
  await migrateToLatest(opened.db);
  const mails = Array.from({ length: 600 }, (_, i) => ({
    id: uuidv7(),
    recipient: `r${i}@example.com`,
    subject: 'Join',
    textBody: 'text '.repeat(200),
    htmlBody: '<p>html</p>'.repeat(100),
    invitationId: null,
    createdAt: now,
  }));
  for (let i = 0; i < mails.length; i += 100) await outboxRepository.enqueue(opened.db, mails.slice(i, i + 100));
});

after(async () => {
  await opened.close();
  await database.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('claims running at once share no mail, and together take every due one', async () => {
  const claims = await Promise.all(Array.from({ length: 4 }, (_, i) => outboxRepository.claimDue(opened.db, `owner-${i}`, now, leaseUntil, 200)));
  const ids = claims.flat().map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length, 'a mail was claimed twice');
  assert.equal(ids.length, 600);
  // Each claim holds the lease on exactly the mails it returned, at most its limit.
  const owners = await opened.db.selectFrom('outbox').select(['id', 'lease_owner']).execute();
  for (const [i, claim] of claims.entries()) {
    assert.ok(claim.length <= 200);
    const leased = owners.filter((r) => r.lease_owner === `owner-${i}`).map((r) => r.id).sort();
    assert.deepEqual(leased, claim.map((m) => m.id).sort(), `claim ${i}`);
  }
  // Leased until a minute from now: nothing is due again before then.
  assert.deepEqual(await outboxRepository.claimDue(opened.db, 'late', now, leaseUntil, 200), []);
});
