// The ID token signing keys: RSA keys kept sealed in oidc_keys. The newest published key signs; the one before it
// stays published (so tokens it signed still verify) until the next rotation retires it.
import { generateKeyPair, randomBytes, type JsonWebKey } from 'node:crypto';
import { promisify } from 'node:util';
import type { Transaction } from 'kysely';
import type { Database, Db } from '../platform/db/schema.js';
import type { SecretBox } from '../platform/secret-box.js';
import type { Actor } from '../platform/types.js';
import { recordOidcChange } from './oidc-audit.js';
import { oidcDb, type OidcDb, type OidcTables } from './oidc-schema.js';

export const SIGNING_ALG = 'RS256';

export type SigningKey = { kid: string; createdAt: string; jwk: JsonWebKey & { kid: string; alg: string; use: 'sig' } };

const generateRsaKeyPair = promisify(generateKeyPair);

/** A new RSA key; generated off the event loop (it takes tens of milliseconds). */
async function newKey(now: Date): Promise<SigningKey> {
  const { privateKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
  const kid = randomBytes(12).toString('base64url');
  return { kid, createdAt: now.toISOString(), jwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: SIGNING_ALG, use: 'sig' } };
}

export class OidcKeys {
  private readonly db: OidcDb;

  constructor(private readonly deps: { db: Db; secretBox: SecretBox; now?: () => Date }) {
    this.db = oidcDb(deps.db);
  }

  private now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  /**
   * A cheap fingerprint of the published key set (kids, newest first), so every node notices a rotation made
   * elsewhere without decrypting keys on each check.
   */
  async publishedFingerprint(): Promise<string> {
    const rows = await this.db.selectFrom('oidc_keys').select('kid').where('retired_at', 'is', null).orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
    return rows.map((r) => r.kid).join(',');
  }

  /** Published private keys, current (signing) key first. Creates the first key when there is none. */
  async publishedKeys(): Promise<SigningKey[]> {
    const rows = await this.db
      .selectFrom('oidc_keys')
      .select(['kid', 'private_jwk_ciphertext', 'created_at'])
      .where('retired_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('kid', 'desc')
      .execute();
    if (rows.length === 0) {
      // Two nodes starting together may each add one: both are published, the newer signs, nothing breaks.
      await this.insert(this.db, await newKey(this.now()));
      return this.publishedKeys();
    }
    return rows.map((r) => ({ kid: r.kid, createdAt: r.created_at, jwk: JSON.parse(this.deps.secretBox.open(r.private_jwk_ciphertext)) as SigningKey['jwk'] }));
  }

  /** Adds a new current key; the previous current key stays published, older ones are retired. */
  async rotate(actor: Actor): Promise<{ current: string; previous: string | undefined; retired: string[] }> {
    const now = this.now();
    const generated = await newKey(now);
    return this.db.transaction().execute(async (trx) => {
      const published = await trx.selectFrom('oidc_keys').select(['kid', 'created_at']).where('retired_at', 'is', null).orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
      const previous = published[0];
      // Keep "newest signs" true even when the clock reads the same millisecond as the previous key.
      const createdAt = previous && Date.parse(previous.created_at) >= now.getTime() ? new Date(Date.parse(previous.created_at) + 1) : now;
      const key = { ...generated, createdAt: createdAt.toISOString() };
      await this.insert(trx, key);
      const retired = published.slice(1).map((k) => k.kid);
      if (retired.length > 0) await trx.updateTable('oidc_keys').set({ retired_at: now.toISOString() }).where('kid', 'in', retired).execute();
      await recordOidcChange(trx, actor, { action: 'RotateOidcSigningKeys', resourceType: 'oidc_key', resourceId: key.kid, details: { previous: previous?.kid ?? null, retired } }, now);
      return { current: key.kid, previous: previous?.kid, retired };
    });
  }

  private async insert(ex: OidcDb | Transaction<Database & OidcTables>, key: SigningKey): Promise<void> {
    await ex.insertInto('oidc_keys').values({ kid: key.kid, private_jwk_ciphertext: this.deps.secretBox.seal(JSON.stringify(key.jwk)), created_at: key.createdAt }).execute();
  }
}
