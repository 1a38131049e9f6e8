// The communication apps registered with Carillon's OpenID Connect provider: created and revoked by an
// administrator (CLI), looked up by the provider on every request. Secrets are sealed, shown once at creation.
import { randomBytes } from 'node:crypto';
import type { ClientMetadata } from 'oidc-provider';
import { AppError } from '../platform/errors.js';
import type { Db } from '../platform/db/schema.js';
import type { SecretBox } from '../platform/secret-box.js';
import type { Actor } from '../platform/types.js';
import { recordOidcChange } from './oidc-audit.js';
import { oidcDb, type OidcDb } from './oidc-schema.js';

export type OidcApp = { clientId: string; name: string; redirectUris: string[]; createdAt: string; revokedAt: string | null };

const MAX_REDIRECT_URIS = 20;

/** Throws request.invalid unless `uri` is an absolute http(s) URL without fragment or credentials. */
function checkRedirectUri(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new AppError('request.invalid', `Redirect URI ${JSON.stringify(uri)} is not an absolute URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AppError('request.invalid', `Redirect URI ${uri} must use https (or http).`);
  if (url.hash || uri.includes('#')) throw new AppError('request.invalid', `Redirect URI ${uri} must not have a fragment.`);
  if (url.username || url.password) throw new AppError('request.invalid', `Redirect URI ${uri} must not carry credentials.`);
  return uri;
}

export class OidcClients {
  private readonly db: OidcDb;

  constructor(private readonly deps: { db: Db; secretBox: SecretBox; now?: () => Date }) {
    this.db = oidcDb(deps.db);
  }

  private now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  /** Registers an app; the returned secret is the only copy in plain text. */
  async createApp(actor: Actor, input: { name: string; redirectUris: string[] }): Promise<OidcApp & { clientSecret: string }> {
    const name = input.name.trim();
    if (name.length < 1 || name.length > 100) throw new AppError('request.invalid', 'The app name must have 1 to 100 characters.');
    if (input.redirectUris.length < 1 || input.redirectUris.length > MAX_REDIRECT_URIS) {
      throw new AppError('request.invalid', `An app needs 1 to ${MAX_REDIRECT_URIS} redirect URIs.`);
    }
    const redirectUris = [...new Set(input.redirectUris.map(checkRedirectUri))];
    const now = this.now();
    const app: OidcApp = { clientId: `app-${randomBytes(12).toString('hex')}`, name, redirectUris, createdAt: now.toISOString(), revokedAt: null };
    const clientSecret = randomBytes(32).toString('base64url');
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('oidc_clients')
        .values({
          client_id: app.clientId,
          name: app.name,
          secret_ciphertext: this.deps.secretBox.seal(clientSecret),
          redirect_uris: JSON.stringify(redirectUris),
          created_at: app.createdAt,
        })
        .execute();
      await recordOidcChange(trx, actor, { action: 'CreateOidcApp', resourceType: 'oidc_app', resourceId: app.clientId, details: { name, redirectUris } }, now);
    });
    return { ...app, clientSecret };
  }

  async listApps(): Promise<OidcApp[]> {
    const rows = await this.db.selectFrom('oidc_clients').select(['client_id', 'name', 'redirect_uris', 'created_at', 'revoked_at']).orderBy('created_at').orderBy('client_id').execute();
    return rows.map((r) => ({ clientId: r.client_id, name: r.name, redirectUris: JSON.parse(r.redirect_uris) as string[], createdAt: r.created_at, revokedAt: r.revoked_at }));
  }

  /** Revokes an app: from now on it can neither start a sign-in nor use the token endpoint. */
  async revokeApp(actor: Actor, clientId: string): Promise<void> {
    const now = this.now();
    await this.db.transaction().execute(async (trx) => {
      const res = await trx.updateTable('oidc_clients').set({ revoked_at: now.toISOString() }).where('client_id', '=', clientId).where('revoked_at', 'is', null).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new AppError('request.invalid', `No active app ${clientId}.`);
      await recordOidcChange(trx, actor, { action: 'RevokeOidcApp', resourceType: 'oidc_app', resourceId: clientId }, now);
    });
  }

  /** The provider's view of an active app (first-party, confidential, code flow only), or undefined. */
  async findClientMetadata(clientId: string): Promise<ClientMetadata | undefined> {
    const row = await this.db
      .selectFrom('oidc_clients')
      .select(['client_id', 'name', 'secret_ciphertext', 'redirect_uris'])
      .where('client_id', '=', clientId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      client_id: row.client_id,
      client_name: row.name,
      client_secret: this.deps.secretBox.open(row.secret_ciphertext),
      redirect_uris: JSON.parse(row.redirect_uris) as string[],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    };
  }
}
