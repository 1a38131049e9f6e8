// The domain sweep's part of `npm run bench`: `claims` pending claims (one per account, a tenth of them with their
// record published) become due at once on a running Carillon, whose sweep is started as its schedule starts it (a
// queued `domains.sweep` job); the time until every claim has been looked at in the bench's DNS server, and
// GetUser's p99 latency over every request at a steady rate meanwhile, against the same load on the idle server
// just before.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { openDatabase } from '../src/platform/db/database.js';
import { uuidv7 } from '../src/platform/ids.js';
import { jobsRepository } from '../src/platform/jobs/jobs-repository.js';
import type { DnsServer } from '../test/support/dns-server.js';

export type SweepFigures = { sweepSeconds: number; checked: number; verified: number; idleP99Ms: number; duringP99Ms: number };

/** GetUser at a steady 300 requests a second from a process of its own, until `until` settles (or for
 *  `seconds`); the p99 latency over every request (autocannon's, in ms). */
async function getUserP99(url: string, req: { path: string; headers: Record<string, string> }, o: { seconds?: number; until?: Promise<unknown> }): Promise<number> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'steady-load.mjs')], {
    env: { ...process.env, URL: url, REQ_PATH: req.path, REQ_HEADERS: JSON.stringify(req.headers), RATE: '300', DURATION_S: String(o.seconds ?? 300) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  if (o.until) await o.until.finally(() => child.stdin.end());
  await exited;
  const r = JSON.parse(out) as { p99: number; requests: number; failed: number };
  if (r.failed > 0) throw new Error(`${r.failed} of ${r.requests} GetUser requests failed during the sweep bench`);
  return r.p99;
}

export async function benchDomainSweep(o: {
  databaseUrl: string | undefined;
  dataDir: string;
  url: string;
  getUser: { path: string; headers: Record<string, string> };
  dns: DnsServer;
  claims: number;
}): Promise<SweepFigures> {
  const opened = openDatabase({ databaseUrl: o.databaseUrl, dataDir: o.dataDir });
  try {
    const accounts = await opened.db.selectFrom('accounts').select('id').where('deleted_at', 'is', null).orderBy('id').limit(o.claims).execute();
    if (accounts.length < o.claims) throw new Error(`the sweep bench needs ${o.claims} accounts, the seed has ${accounts.length}`);
    const now = new Date().toISOString();
    const rows = accounts.map((a, i) => {
      const name = `sweep-${i}-${randomBytes(3).toString('hex')}.test`;
      const value = `carillon-domain-verification=${randomBytes(24).toString('base64url')}`;
      // A tenth of the claims find their record; the others get NXDOMAIN, as a claim waiting for its owner does.
      if (i % 10 === 0) o.dns.zones.set(`_carillon.${name}`, { txt: [[value]] });
      return { id: uuidv7(), account_id: a.id, name, status: 'PendingVerification', verification_value: value, claimed_at: now, checks: 1, next_check_at: null, updated_at: now };
    });
    for (let i = 0; i < rows.length; i += 500) await opened.db.insertInto('domains').values(rows.slice(i, i + 500)).execute();

    await getUserP99(o.url, o.getUser, { seconds: 2 }); // warm-up
    const idleP99Ms = await getUserP99(o.url, o.getUser, { seconds: 10 });

    // Every claim due now, and the sweep queued as its schedule queues it.
    const start = new Date();
    await opened.db.transaction().execute(async (trx) => {
      await trx.updateTable('domains').set({ next_check_at: start.toISOString() }).where('name', 'like', 'sweep-%').execute();
      await jobsRepository.insert(trx, [{ id: uuidv7(), kind: 'domains.sweep', payload: {}, uniqueKey: null, runAt: start.toISOString(), createdAt: start.toISOString() }]);
    });
    const t0 = performance.now();
    const checkedSince = async () =>
      Number(
        (
          await opened.db
            .selectFrom('domains')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('name', 'like', 'sweep-%')
            .where('last_checked_at', '>=', start.toISOString())
            .executeTakeFirstOrThrow()
        ).n,
      );
    let sweepSeconds = Number.NaN;
    const watcher = (async () => {
      while (performance.now() - t0 < 300_000) {
        if ((await checkedSince()) >= o.claims) {
          sweepSeconds = (performance.now() - t0) / 1000;
          return;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    // GetUser during the whole sweep, at the same steady rate, stopped when the last claim has been looked at.
    const duringP99Ms = await getUserP99(o.url, o.getUser, { until: watcher });
    const verified = Number(
      (await opened.db.selectFrom('domains').select((eb) => eb.fn.countAll<number>().as('n')).where('name', 'like', 'sweep-%').where('status', '=', 'Verified').executeTakeFirstOrThrow()).n,
    );
    return { sweepSeconds, checked: await checkedSince(), verified, idleP99Ms, duringP99Ms };
  } finally {
    await opened.close();
  }
}
