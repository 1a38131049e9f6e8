// SQL for the members of accounts. A removed member keeps its row (removed_at set) for audit and billing.
// Every write that can list a member in the directory, or stop listing them, keeps its words in step
// (directory-search.ts) in the same transaction, with a statement or three per call, never one per member.
import { sql, type ExpressionBuilder } from 'kysely';
import { withEmailDomains, type Database, type Executor, type UsersTable } from '../platform/db/schema.js';
import type { HotQuery, Reader } from '../platform/db/reader.js';
import { inCodePointOrder, startsWith } from '../platform/db/dialect.js';
import type { InviteStatus, License, RegistrationStatus, UserType } from '../platform/types.js';
import { violatedUnique } from '../platform/db/database.js';
import { directoryIndex } from './directory-search.js';
import { AppError } from '../platform/errors.js';

export type User = {
  id: string;
  accountId: string;
  email: string;
  displayName: string | null;
  userType: UserType;
  license: License;
  registrationStatus: RegistrationStatus;
  invitationStatus: InviteStatus | null;
  invitedOn: string | null;
  registeredOn: string | null;
  personalPin: string | null;
  alexaEnabled: boolean | null;
  alexaRoomArn: string | null;
  telephony: { inboundCalling: boolean; outboundCalling: boolean; sms: boolean };
  proTrialEndsAt: string | null;
  sessionsRevokedAt: string | null;
  createdAt: string;
  updatedAt: string;
  removedAt: string | null;
  /** The identity that registered this membership; null for invitees and provisioned users not yet signed in. */
  identityId: string | null;
  /** When an administrator last chose the license (an invitee keeps it on accepting). */
  licenseChosenAt: string | null;
};

/** Another request drew the same fresh personal PIN at the same moment: the caller draws again. */
export class PinTaken extends Error {}

/** A write that broke a unique index of the members, as the product error it means. */
function translateViolation(e: unknown, email: string | undefined): never {
  const broken = violatedUnique(e);
  if (!broken) throw e;
  const on = (index: string, columns: string[]) => broken.index === index || (broken.index === undefined && broken.columns.join(',') === columns.join(','));
  if (on('users_personal_pin', ['personal_pin'])) throw new PinTaken();
  if (on('users_one_registered_account', ['email_norm'])) {
    // Said as Chime would: nothing about which account.
    throw new AppError('user.registered_elsewhere', `The user ${email ?? ''} already belongs to another account. They can join this one by accepting an invitation.`);
  }
  if (on('users_account_email_live', ['account_id', 'email_norm'])) throw new AppError('user.email_taken', `A user with email ${email ?? ''} already exists in this account.`);
  throw e;
}

export type UserListFilter = {
  accountId: string;
  emailNorm?: string | undefined;
  userType?: UserType | undefined;
  /** Carillon's console filters, beyond Chime's: a registration status, an effective license (at `now`), and
   *  the start of the email address. */
  registrationStatus?: RegistrationStatus | undefined;
  license?: { value: License; now: string } | undefined;
  emailPrefixNorm?: string | undefined;
  /** Members whose address is in this domain (a claimed domain's people). */
  emailDomain?: string | undefined;
  /** The last one of the previous page: listed in id order, or in address order when searching by its start. */
  afterId?: string | undefined;
  limit: number;
};

export type UserPatch = Partial<
  Pick<
    UsersTable,
    | 'display_name'
    | 'user_type'
    | 'license'
    | 'registration_status'
    | 'invitation_status'
    | 'invited_on'
    | 'registered_on'
    | 'personal_pin'
    | 'alexa_enabled'
    | 'alexa_room_arn'
    | 'telephony_inbound'
    | 'telephony_outbound'
    | 'telephony_sms'
    | 'pro_trial_ends_at'
    | 'sessions_revoked_at'
    | 'removed_at'
    | 'identity_id'
    | 'license_chosen_at'
  >
>;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toUser(r: UsersTable): User {
  return {
    id: r.id,
    accountId: r.account_id,
    email: r.email,
    displayName: r.display_name,
    userType: r.user_type as UserType,
    license: r.license as License,
    registrationStatus: r.registration_status as RegistrationStatus,
    invitationStatus: r.invitation_status as InviteStatus | null,
    invitedOn: r.invited_on,
    registeredOn: r.registered_on,
    personalPin: r.personal_pin,
    alexaEnabled: r.alexa_enabled === null ? null : r.alexa_enabled === 1,
    alexaRoomArn: r.alexa_room_arn,
    telephony: { inboundCalling: r.telephony_inbound === 1, outboundCalling: r.telephony_outbound === 1, sms: r.telephony_sms === 1 },
    proTrialEndsAt: r.pro_trial_ends_at,
    sessionsRevokedAt: r.sessions_revoked_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    removedAt: r.removed_at,
    identityId: r.identity_id,
    licenseChosenAt: r.license_chosen_at,
  };
}

/** GetUser's query, the API's hottest. */
const memberOfLiveAccount: HotQuery<UsersTable, [userId: string, accountId: string]> = {
  name: 'users_member_of_live_account',
  query: (ex, userId, accountId) =>
    ex
      .selectFrom('users')
      .innerJoin('accounts', 'accounts.id', 'users.account_id')
      .selectAll('users')
      .where('users.id', '=', userId)
      .where('users.account_id', '=', accountId)
      .where('users.removed_at', 'is', null)
      .where('accounts.deleted_at', 'is', null),
};

/** The live members of an account that a listing's filters keep. */
function filtered(ex: Executor, f: Omit<UserListFilter, 'afterId' | 'limit'>) {
  let q = ex.selectFrom('users').where('account_id', '=', f.accountId).where('removed_at', 'is', null);
  if (f.emailNorm !== undefined) q = q.where('email_norm', '=', f.emailNorm);
  if (f.userType) q = q.where('user_type', '=', f.userType);
  if (f.registrationStatus) q = q.where('registration_status', '=', f.registrationStatus);
  if (f.emailPrefixNorm) q = q.where(startsWith(ex, 'email_norm', f.emailPrefixNorm));
  if (f.emailDomain) q = q.where((eb) => eb(sql.ref('email_domain'), '=', f.emailDomain));
  const license = f.license;
  if (license) {
    // A Pro trial that has run out counts as Basic (see effectiveLicense).
    const trialOver = (eb: ExpressionBuilder<Database, 'users'>) => eb.and([eb('license', '=', 'ProTrial'), eb('pro_trial_ends_at', '<=', license.now)]);
    if (license.value === 'Basic') q = q.where((eb) => eb.or([eb('license', '=', 'Basic'), trialOver(eb)]));
    else if (license.value === 'ProTrial') q = q.where((eb) => eb.and([eb('license', '=', 'ProTrial'), eb.or([eb('pro_trial_ends_at', 'is', null), eb('pro_trial_ends_at', '>', license.now)])]));
    else q = q.where('license', '=', license.value);
  }
  return q;
}

/** After an update: the directory forgets members who stopped being listed, and reads again those whose name or
 *  registration changed (the update may have listed them); other changes leave it alone. */
async function syncDirectory(ex: Executor, userIds: string[], patch: UserPatch): Promise<void> {
  const unlisted = (patch.removed_at !== undefined && patch.removed_at !== null) || (patch.registration_status !== undefined && patch.registration_status !== 'Registered');
  if (unlisted) await directoryIndex.remove(ex, userIds);
  else if (patch.display_name !== undefined || patch.registration_status !== undefined || patch.removed_at !== undefined) await directoryIndex.refresh(ex, userIds);
}

export const usersRepository = {
  async insert(ex: Executor, u: Omit<User, 'updatedAt'>): Promise<void> {
    await usersRepository.insertMany(ex, [u]);
  },

  async insertMany(ex: Executor, users: Array<Omit<User, 'updatedAt'>>): Promise<void> {
    if (users.length === 0) return;
    await ex
      .insertInto('users')
      .values(users.map((u) => ({
        id: u.id,
        account_id: u.accountId,
        email: u.email,
        email_norm: normalizeEmail(u.email),
        display_name: u.displayName,
        user_type: u.userType,
        license: u.license,
        registration_status: u.registrationStatus,
        invitation_status: u.invitationStatus,
        invited_on: u.invitedOn,
        registered_on: u.registeredOn,
        personal_pin: u.personalPin,
        alexa_enabled: u.alexaEnabled === null ? null : u.alexaEnabled ? 1 : 0,
        alexa_room_arn: u.alexaRoomArn,
        telephony_inbound: u.telephony.inboundCalling ? 1 : 0,
        telephony_outbound: u.telephony.outboundCalling ? 1 : 0,
        telephony_sms: u.telephony.sms ? 1 : 0,
        pro_trial_ends_at: u.proTrialEndsAt,
        sessions_revoked_at: u.sessionsRevokedAt,
        created_at: u.createdAt,
        updated_at: u.createdAt,
        removed_at: u.removedAt,
        identity_id: u.identityId,
        license_chosen_at: u.licenseChosenAt,
      })))
      .execute()
      .catch((e: unknown) => translateViolation(e, users.length === 1 ? users[0]!.email : undefined));
    // Invitees (Unregistered) are not listed: an invitation adds nothing here.
    await directoryIndex.add(ex, users.filter((u) => u.removedAt === null && u.registrationStatus === 'Registered'));
  },

  /** A live (not removed) member of the account. */
  async findMember(ex: Executor, accountId: string, userId: string): Promise<User | undefined> {
    const row = await ex
      .selectFrom('users')
      .selectAll()
      .where('id', '=', userId)
      .where('account_id', '=', accountId)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    return row ? toUser(row) : undefined;
  },

  /** A live member of a live (not deleted) account, in one query: inside a transaction, or on the reader. */
  async findMemberOfLiveAccount(from: Executor | Reader, accountId: string, userId: string): Promise<User | undefined> {
    const row = 'first' in from ? await from.first(memberOfLiveAccount, userId, accountId) : await memberOfLiveAccount.query(from, userId, accountId).executeTakeFirst();
    return row ? toUser(row) : undefined;
  },

  async findMembers(ex: Executor, accountId: string, userIds: string[]): Promise<Map<string, User>> {
    if (userIds.length === 0) return new Map();
    const rows = await ex
      .selectFrom('users')
      .selectAll()
      .where('id', 'in', userIds)
      .where('account_id', '=', accountId)
      .where('removed_at', 'is', null)
      .execute();
    return new Map(rows.map((r) => [r.id, toUser(r)]));
  },

  async findMembersByEmail(ex: Executor, accountId: string, emailNorms: string[]): Promise<Map<string, User>> {
    if (emailNorms.length === 0) return new Map();
    const rows = await ex
      .selectFrom('users')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('email_norm', 'in', emailNorms)
      .where('removed_at', 'is', null)
      .execute();
    return new Map(rows.map((r) => [r.email_norm, toUser(r)]));
  },

  async list(ex: Executor, f: UserListFilter): Promise<User[]> {
    let q = filtered(ex, f).selectAll();
    if (f.emailPrefixNorm) {
      // A search by the start of the address is listed in address order, which its index serves (live members'
      // addresses are unique within an account). The page goes on after the address of the last one listed; a
      // token naming someone of another account lists nothing, so it tells nothing of their address.
      const email = inCodePointOrder(ex, 'email_norm');
      const afterId = f.afterId;
      if (afterId) {
        q = q.where((eb) => eb(email, '>', eb.selectFrom('users as last').select('last.email_norm').where('last.id', '=', afterId).where('last.account_id', '=', f.accountId)));
      }
      q = q.orderBy(email);
    } else {
      if (f.afterId) q = q.where('id', '>', f.afterId);
      q = q.orderBy('id');
    }
    const rows = await q.limit(f.limit).execute();
    return rows.map(toUser);
  },

  /** How many members the filters keep, counted up to `cap` (a count past it reads cap + 1). */
  async count(ex: Executor, f: Omit<UserListFilter, 'afterId' | 'limit'>, cap: number): Promise<number> {
    const row = await ex
      .selectFrom(filtered(ex, f).select('id').limit(cap + 1).as('kept'))
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  async countByStatus(ex: Executor, accountId: string, statuses: RegistrationStatus[]): Promise<number> {
    const row = await ex
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('account_id', '=', accountId)
      .where('removed_at', 'is', null)
      .where('registration_status', 'in', statuses)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  async update(ex: Executor, userIds: string[], patch: UserPatch, updatedAt: string): Promise<void> {
    if (userIds.length === 0) return;
    await ex
      .updateTable('users')
      .set({ ...patch, updated_at: updatedAt })
      .where('id', 'in', userIds)
      .execute()
      .catch((e: unknown) => translateViolation(e, undefined));
    await syncDirectory(ex, userIds, patch);
  },

  /** Ends every session of every live member of the account (account deletion). */
  async liveByEmail(ex: Executor, emailNorm: string): Promise<User[]> {
    return (await ex.selectFrom('users').selectAll().where('email_norm', '=', emailNorm).where('removed_at', 'is', null).execute()).map(toUser);
  },

  /** Live members of an account with these statuses, and with an address in `domain` when it is given. */
  async idsWithStatus(ex: Executor, accountId: string, statuses: RegistrationStatus[], domain?: string): Promise<string[]> {
    let q = withEmailDomains(ex).selectFrom('users').select('id').where('account_id', '=', accountId).where('removed_at', 'is', null).where('registration_status', 'in', statuses);
    if (domain !== undefined) q = q.where('email_domain', '=', domain);
    return (await q.execute()).map((r) => r.id);
  },

  async revokeSessionsOfAccount(ex: Executor, accountId: string, at: string): Promise<void> {
    await ex.updateTable('users').set({ sessions_revoked_at: at }).where('account_id', '=', accountId).where('removed_at', 'is', null).execute();
  },

  async accountIdsOfEmail(ex: Executor, emailNorm: string): Promise<string[]> {
    const rows = await ex.selectFrom('users').select('account_id').where('email_norm', '=', emailNorm).where('removed_at', 'is', null).execute();
    return [...new Set(rows.map((r) => r.account_id))];
  },

  async markInvitationFailed(ex: Executor, userIds: string[], at: string): Promise<void> {
    await ex.updateTable('users').set({ invitation_status: 'Failed', updated_at: at }).where('id', 'in', userIds).where('registration_status', '=', 'Unregistered').execute();
  },

  /** Live registered (or suspended) memberships of an address, other than `exceptId`. */
  async registeredElsewhere(ex: Executor, emailNorm: string, exceptId: string): Promise<User[]> {
    const rows = await ex
      .selectFrom('users')
      .selectAll()
      .where('email_norm', '=', emailNorm)
      .where('removed_at', 'is', null)
      .where('registration_status', 'in', ['Registered', 'Suspended'])
      .where('id', '<>', exceptId)
      .execute();
    return rows.map(toUser);
  },

  /** The live membership an identity registered, if any (a person belongs to one account at a time). */
  async findLiveByIdentity(ex: Executor, identityId: string): Promise<User | undefined> {
    // A Released membership is none: its domain was released and the person is free.
    const row = await ex
      .selectFrom('users')
      .selectAll()
      .where('identity_id', '=', identityId)
      .where('removed_at', 'is', null)
      .where('registration_status', '<>', 'Released')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row ? toUser(row) : undefined;
  },

  /** The latest time any membership of this identity (removed ones included) was signed out. */
  async lastRevocationOfIdentity(ex: Executor, identityId: string): Promise<string | null> {
    const r = await ex
      .selectFrom('users')
      .select((eb) => eb.fn.max('sessions_revoked_at').as('at'))
      .where('identity_id', '=', identityId)
      .executeTakeFirst();
    return (r?.at as string | null | undefined) ?? null;
  },

  async pinTaken(ex: Executor, pin: string): Promise<boolean> {
    return (await ex.selectFrom('users').select('id').where('personal_pin', '=', pin).executeTakeFirst()) !== undefined;
  },
};
