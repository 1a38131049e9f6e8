// The floor: the least work an honest GetUser does on this stack. The bare Fastify route, plus checking the request's
// SigV4 signature (the secret given, no key lookup) and reading the user with one prepared statement, answered
// with the same JSON. Nothing else: no routing of operations, no validation, no policy, no request id, no logging.
// The bench compares Carillon with it to tell the cost of that work apart from the cost of Carillon's own.
import Fastify from 'fastify';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { SigV4Verifier } from '../src/platform/sigv4.js';

const sql =
  'select users.* from users inner join accounts on accounts.id = users.account_id ' +
  'where users.id = $1 and users.account_id = $2 and users.removed_at is null and accounts.deleted_at is null';

type Row = Record<string, string | number | null>;
let read: (userId: string, accountId: string) => Promise<Row | undefined> | Row | undefined;
if (process.env.DATABASE_URL) {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  read = async (userId, accountId) => (await pool.query<Row>({ name: 'floor_user', text: sql, values: [userId, accountId] })).rows[0];
} else {
  const file = new SQLite(`${process.env.CARILLON_DATA_DIR}/carillon.db`, { readonly: true });
  const statement = file.prepare(sql.replace(/\$\d/g, '?'));
  // The reads of one event-loop turn share a snapshot, as Carillon's reader does: beginning and ending a read
  // transaction costs two system calls.
  let inSnapshot = false;
  read = (userId, accountId) => {
    if (!inSnapshot) {
      file.exec('BEGIN');
      inSnapshot = true;
      setImmediate(() => {
        file.exec('COMMIT');
        inSnapshot = false;
      });
    }
    return statement.get(userId, accountId) as Row | undefined;
  };
}

const secret = process.env.FLOOR_SECRET ?? '';
const verifier = new SigV4Verifier({ service: 'chime', maxSkewSeconds: 300, now: () => new Date(), lookupKey: () => ({ secret }) });
const NO_BODY = Buffer.alloc(0);
const orUndefined = <T>(v: T | null) => (v === null ? undefined : v);

const app = Fastify({ logger: false });
app.get('/accounts/:accountId/users/:userId', async (request, reply) => {
  await verifier.verify({ method: request.method, rawUrl: request.raw.url ?? '/', headers: request.headers, body: NO_BODY });
  const { accountId, userId } = request.params as { accountId: string; userId: string };
  const r = await read(userId, accountId);
  if (!r) return reply.code(404).send('{}');
  reply.header('content-type', 'application/json').header('x-amzn-RequestId', '00000000-0000-0000-0000-000000000000');
  return JSON.stringify({
    User: {
      UserId: r.id,
      AccountId: r.account_id,
      PrimaryEmail: r.email,
      DisplayName: orUndefined(r.display_name),
      LicenseType: r.license,
      UserType: r.user_type,
      UserRegistrationStatus: r.registration_status,
      UserInvitationStatus: orUndefined(r.invitation_status),
      RegisteredOn: orUndefined(r.registered_on),
      InvitedOn: orUndefined(r.invited_on),
      PersonalPIN: r.personal_pin,
    },
  });
});
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
