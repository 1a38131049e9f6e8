// Table types for the query builder. Timestamps are RFC 3339 UTC strings and booleans are 0/1 integers on
// both engines, so the same rows and the same sort order come back from SQLite and PostgreSQL.
import type { Kysely, Transaction } from 'kysely';

export type Flag = 0 | 1;

export interface SettingsTable {
  key: string;
  value: string;
}

export interface AccountsTable {
  id: string;
  name: string;
  name_norm: string;
  type: string;
  status: string;
  default_license: string;
  disable_remote_control: Flag;
  enable_dial_out: Flag;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface SigninDelegateGroupsTable {
  account_id: string;
  group_name: string;
  created_at: string;
}

export interface UsersTable {
  id: string;
  account_id: string;
  email: string;
  email_norm: string;
  display_name: string | null;
  user_type: string;
  license: string;
  registration_status: string;
  invitation_status: string | null;
  invited_on: string | null;
  registered_on: string | null;
  personal_pin: string | null;
  alexa_enabled: Flag | null;
  alexa_room_arn: string | null;
  telephony_inbound: Flag;
  telephony_outbound: Flag;
  telephony_sms: Flag;
  pro_trial_ends_at: string | null;
  sessions_revoked_at: string | null;
  created_at: string;
  updated_at: string;
  removed_at: string | null;
  identity_id: string | null;
  /** When an administrator last set the license (an invitee keeps it when accepting). */
  license_chosen_at: string | null;
}

export interface InvitationsTable {
  id: string;
  account_id: string;
  user_id: string;
  email: string;
  status: string;
  email_status: string;
  token_hash: string;
  expires_at: string;
  accepted_at: string | null;
  revoked_at: string | null;
  /** Why it ended unaccepted (see invitations-repository.ts), with revoked_at. */
  end_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface AccessKeysTable {
  id: string;
  name: string;
  role: string;
  account_id: string | null;
  secret_ciphertext: string;
  created_at: string;
  revoked_at: string | null;
}

export interface AuditEventsTable {
  id: string;
  occurred_at: string;
  actor_type: string;
  actor_id: string;
  action: string;
  resource_type: string;
  resource_id: string;
  account_id: string | null;
  request_id: string | null;
  source_ip: string | null;
  details: string;
}

export interface IdentitiesTable {
  id: string;
  email: string;
  email_norm: string;
  display_name: string | null;
  password_hash: string | null;
  email_verified_at: string | null;
  pro_trial_ends_at: string | null;
  sessions_revoked_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface IdentityLinksTable {
  provider: string;
  subject: string;
  identity_id: string;
  created_at: string;
}

export interface SessionsTable {
  id: string;
  identity_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  source_ip: string | null;
  user_agent: string | null;
}

export interface EmailTokensTable {
  id: string;
  identity_id: string;
  purpose: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface SigninThrottleTable {
  key: string;
  failures: number;
  window_started_at: string;
  locked_until: string | null;
}

export interface AdminsTable {
  id: string;
  email: string;
  email_norm: string;
  display_name: string;
  role: string;
  password_hash: string;
  created_at: string;
  updated_at: string;
  disabled_at: string | null;
}

export interface AdminSessionsTable {
  id: string;
  admin_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  source_ip: string | null;
}

export interface AdminSetupTokensTable {
  id: string;
  email: string | null;
  role: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface Database {
  admins: AdminsTable;
  admin_sessions: AdminSessionsTable;
  admin_setup_tokens: AdminSetupTokensTable;
  identities: IdentitiesTable;
  identity_links: IdentityLinksTable;
  sessions: SessionsTable;
  email_tokens: EmailTokensTable;
  signin_throttle: SigninThrottleTable;
  settings: SettingsTable;
  accounts: AccountsTable;
  signin_delegate_groups: SigninDelegateGroupsTable;
  users: UsersTable;
  invitations: InvitationsTable;
  access_keys: AccessKeysTable;
  audit_events: AuditEventsTable;
}

/** The query builder, knowing the generated column `email_domain` (the part of email_norm after its @) of users
 *  and identities, which only queries by domain read (migration 012). */
export const withEmailDomains = (ex: Executor) => ex.withTables<{ users: { email_domain: string }; identities: { email_domain: string } }>();

/** What a repository accepts: the database itself or an open transaction, so services can compose them. */
export type Executor = Kysely<Database> | Transaction<Database>;
export type Db = Kysely<Database>;
