// oidc-provider's storage contract over Kysely (SQLite or PostgreSQL). Every find of a person's artifact (code,
// access token, refresh token, browser session) asks the identity directory first, so revocation holds on every
// path that reads one: token endpoint, userinfo, introspection, authorization.
import { createHash } from 'node:crypto';
import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';
import type { Db } from '../platform/db/schema.js';
import type { SecretBox } from '../platform/secret-box.js';
import type { IdentityDirectory } from '../signin/identity-directory.js';
import type { OidcClients } from './oidc-clients.js';
import { authoritySince, currentClaims, identityBoundModels } from './oidc-identity-check.js';
import { oidcDb, type OidcDb } from './oidc-schema.js';

export type OidcAdapterDeps = { db: Db; secretBox: SecretBox; identities: IdentityDirectory; clients: OidcClients };

/** Artifact ids of tokens and codes are the bearer values themselves: only their digest is stored. */
export const digestId = (value: string): string => createHash('sha256').update(value).digest('base64url');

type Row = { payload: string; expires_at: string | null; consumed_at: string | null };

/** Stores artifacts of one oidc-provider model in oidc_payloads. */
class PayloadStore implements Adapter {
  private readonly db: OidcDb;

  constructor(
    private readonly model: string,
    private readonly deps: OidcAdapterDeps,
  ) {
    this.db = oidcDb(deps.db);
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    // oidc-provider counts `expiresIn` from the real time (it has no clock to inject), so its storage does too.
    const now = Date.now();
    const values = {
      payload: this.deps.secretBox.seal(JSON.stringify(payload)),
      grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
      user_code: typeof payload.userCode === 'string' ? digestId(payload.userCode) : null,
      uid: typeof payload.uid === 'string' ? digestId(payload.uid) : null,
      expires_at: expiresIn > 0 ? new Date(now + expiresIn * 1000).toISOString() : null,
    };
    await this.db
      .insertInto('oidc_payloads')
      .values({ model: this.model, id: digestId(id), ...values, consumed_at: payload.consumed ? new Date(now).toISOString() : null })
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(values))
      .execute();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const row = await this.db.selectFrom('oidc_payloads').select(['payload', 'expires_at', 'consumed_at']).where('model', '=', this.model).where('id', '=', digestId(id)).executeTakeFirst();
    return this.present(row);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const row = await this.db.selectFrom('oidc_payloads').select(['payload', 'expires_at', 'consumed_at']).where('model', '=', this.model).where('uid', '=', digestId(uid)).executeTakeFirst();
    return this.present(row);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const row = await this.db
      .selectFrom('oidc_payloads')
      .select(['payload', 'expires_at', 'consumed_at'])
      .where('model', '=', this.model)
      .where('user_code', '=', digestId(userCode))
      .executeTakeFirst();
    return this.present(row);
  }

  async consume(id: string): Promise<void> {
    await this.db.updateTable('oidc_payloads').set({ consumed_at: new Date().toISOString() }).where('model', '=', this.model).where('id', '=', digestId(id)).execute();
  }

  async destroy(id: string): Promise<void> {
    await this.db.deleteFrom('oidc_payloads').where('model', '=', this.model).where('id', '=', digestId(id)).execute();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).where('model', '=', this.model).execute();
  }

  /** Opens a stored row; undefined when expired or when its person may no longer hold it. */
  private async present(row: Row | undefined): Promise<AdapterPayload | undefined> {
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= new Date().toISOString()) return undefined;
    const payload = JSON.parse(this.deps.secretBox.open(row.payload)) as AdapterPayload;
    if (row.consumed_at !== null) payload.consumed = Math.floor(Date.parse(row.consumed_at) / 1000);
    if (identityBoundModels.has(this.model) && typeof payload.accountId === 'string') {
      const claims = await currentClaims(this.deps.identities, payload.accountId, authoritySince(payload));
      if (!claims) return undefined;
    }
    return payload;
  }
}

/** Registered apps come from oidc_clients (the `carillon apps` commands); the provider only reads them. */
class ClientStore implements Adapter {
  constructor(private readonly clients: OidcClients) {}

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.clients.findClientMetadata(id);
  }

  private readOnly(): never {
    throw new Error('registered apps are managed with `carillon apps`, not through the provider');
  }

  async upsert(): Promise<void> {
    this.readOnly();
  }
  async findByUid(): Promise<undefined> {
    return undefined;
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
  async consume(): Promise<void> {
    this.readOnly();
  }
  async destroy(): Promise<void> {
    this.readOnly();
  }
  async revokeByGrantId(): Promise<void> {}
}

/** The adapter class oidc-provider instantiates once per model name. */
export function createOidcAdapter(deps: OidcAdapterDeps): AdapterConstructor {
  return class OidcAdapter implements Adapter {
    private readonly store: Adapter;

    constructor(model: string) {
      this.store = model === 'Client' ? new ClientStore(deps.clients) : new PayloadStore(model, deps);
    }

    upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      return this.store.upsert(id, payload, expiresIn);
    }
    find(id: string) {
      return this.store.find(id);
    }
    findByUid(uid: string) {
      return this.store.findByUid(uid);
    }
    findByUserCode(userCode: string) {
      return this.store.findByUserCode(userCode);
    }
    consume(id: string) {
      return this.store.consume(id);
    }
    destroy(id: string) {
      return this.store.destroy(id);
    }
    revokeByGrantId(grantId: string) {
      return this.store.revokeByGrantId(grantId);
    }
  };
}

/** Deletes expired artifacts; returns how many. */
export async function purgeExpiredOidcPayloads(db: Db, now: Date = new Date()): Promise<number> {
  const res = await oidcDb(db).deleteFrom('oidc_payloads').where('expires_at', '<', now.toISOString()).executeTakeFirst();
  return Number(res.numDeletedRows);
}
