// Table types of the OpenID Connect provider (migration 003-oidc), added to the shared query builder's view.
import type { Kysely } from 'kysely';
import type { Database, Db } from '../platform/db/schema.js';

export interface OidcPayloadsTable {
  model: string;
  /** SHA-256 (base64url) of the artifact id. */
  id: string;
  /** The JSON payload, sealed with the master key. */
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: string | null;
  consumed_at: string | null;
}

export interface OidcClientsTable {
  client_id: string;
  name: string;
  secret_ciphertext: string;
  /** JSON array of absolute URLs. */
  redirect_uris: string;
  created_at: string;
  revoked_at: string | null;
}

export interface OidcKeysTable {
  kid: string;
  private_jwk_ciphertext: string;
  created_at: string;
  retired_at: string | null;
}

export type OidcTables = {
  oidc_payloads: OidcPayloadsTable;
  oidc_clients: OidcClientsTable;
  oidc_keys: OidcKeysTable;
};

export type OidcDb = Kysely<Database & OidcTables>;

/** The shared database handle, typed to see the OIDC tables too. */
export function oidcDb(db: Db): OidcDb {
  return db.withTables<OidcTables>() as OidcDb;
}
