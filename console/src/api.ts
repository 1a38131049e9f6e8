// Typed client for the console's session endpoints (/console/api) and the Chime REST API it drives: same-origin
// fetches with the session cookie, and the session's CSRF token on every Chime API call.
import type { z } from 'zod';
import type { accessKeyOutputs } from '../../src/access-keys/access-keys-wire.js';
import type { accountOutputs } from '../../src/accounts/accounts-wire.js';
import type { Administrator, administratorOutputs } from '../../src/admins/admins-wire.js';
import type { auditOutputs } from '../../src/audit/audit-wire.js';
import type { domainOutputs } from '../../src/domains/domains-wire.js';
import type { invitationOutputs } from '../../src/invitations/invitations-wire.js';
import type { assignableLicenses, UserType } from '../../src/platform/types.js';
import type { Role } from '../../src/platform/roles.js';
import type { emailStatuses, invitationStatuses, registrationStatuses, userOutputs } from '../../src/users/users-wire.js';

// The wire types are the server's own (src/*/…-wire.ts), so the console cannot drift from what the API sends.
export type { Account, AccountSettings, DeletedAccount } from '../../src/accounts/accounts-wire.js';
export type { AccessKey } from '../../src/access-keys/access-keys-wire.js';
export type { Administrator } from '../../src/admins/admins-wire.js';
export type { AuditAction, AuditEvent } from '../../src/audit/audit-wire.js';
export type { Domain } from '../../src/domains/domains-wire.js';
export type { Invitation, Invite } from '../../src/invitations/invitations-wire.js';
export type { User, UserError } from '../../src/users/users-wire.js';
export type { AccountType, License, UserType } from '../../src/platform/types.js';
export type { Role } from '../../src/platform/roles.js';
export type { ErrorCode } from '../../src/platform/errors.js';
export type AssignableLicense = (typeof assignableLicenses)[number];
export type RegistrationStatus = (typeof registrationStatuses)[number];
export type InvitationStatus = (typeof invitationStatuses)[number];
export type EmailStatus = (typeof emailStatuses)[number];
export type AdministratorInvitation = z.infer<typeof administratorOutputs.invitation>;
export type CreatedAccessKey = z.infer<typeof accessKeyOutputs.created>['AccessKey'];
export type UserCount = z.infer<typeof userOutputs.count>;

// Console-only shapes: the session endpoints under /console/api are not part of the API.

/** The signed-in administrator as the session presents them. */
export type SessionAdministrator = Pick<Administrator, 'AdministratorId' | 'Email' | 'Name' | 'Role'>;

export interface ConsoleSession {
  Administrator: SessionAdministrator;
  CsrfToken: string;
  /** The API operations this administrator's role may call. */
  AllowedOperations: string[];
  /** Whether this server has an SMTP relay (SMTP_URL); without one, email waits in the outbox. */
  MailRelayConfigured: boolean;
}

export interface SetupLink {
  /** null: the person chooses their own address. */
  Email: string | null;
  Role: Role;
}

/**
 * A failed call: the HTTP status and the error's `Code` and `Message`, as the server sent them, and `reason`,
 * Carillon's stable code (src/platform/errors.ts), which says exactly why; absent when the failure did not come
 * from Carillon (a proxy's error page, a lost connection).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Codes for failures that carry no `{ Code, Message }` body (a proxy's error page, a lost connection). */
const codeForStatus: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  422: 'Unprocessable',
  429: 'Throttled',
  503: 'ServiceUnavailable',
};

const CSRF_HEADER = 'X-Carillon-Csrf';

type Query = Record<string, string | number | undefined>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  csrfToken?: string;
}

async function send<T>(method: string, path: string, { query, body, csrfToken }: RequestOptions = {}): Promise<T> {
  // RFC 3986 encoding, as the AWS clients send it: the API reads '+' as a plus sign, not as a space
  // (URLSearchParams would turn "Acme Corp" into "Acme+Corp").
  const search = Object.entries(query ?? {})
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
    .join('&');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (csrfToken) headers[CSRF_HEADER] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const url = search ? `${path}?${search}` : path;

  let response: Response;
  try {
    response = await fetch(url, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'NetworkError', 'The request did not reach the server.');
  }
  const text = await response.text();
  if (!response.ok) {
    let parsed: { Code?: unknown; Message?: unknown; Reason?: unknown } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // Not a JSON error body: fall back to the status.
    }
    const code = typeof parsed.Code === 'string' ? parsed.Code : (codeForStatus[response.status] ?? 'ServiceFailure');
    const message = typeof parsed.Message === 'string' ? parsed.Message : `The server answered ${response.status} ${response.statusText}.`;
    throw new ApiError(response.status, code, message, typeof parsed.Reason === 'string' ? parsed.Reason : undefined);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

// Console session: signing in and out, and the one-time setup links that create administrators.

/** The current console session, or null when nobody is signed in. */
export async function getSession(): Promise<ConsoleSession | null> {
  try {
    return await send<ConsoleSession>('GET', '/console/api/session');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export const signIn = (Email: string, Password: string) => send<ConsoleSession>('POST', '/console/api/session', { body: { Email, Password } });

export const signOut = (csrfToken: string) => send<void>('DELETE', '/console/api/session', { csrfToken });

export const inspectSetupLink = (Token: string) => send<SetupLink>('POST', '/console/api/setup/inspect', { body: { Token } });

export const completeSetup = (input: { Token: string; Email: string; Name: string; Password: string }) =>
  send<ConsoleSession>('POST', '/console/api/setup', { body: input });

// The Chime API, one function per operation.

export interface ListAccountsQuery {
  name?: string;
  userEmail?: string;
  maxResults?: number;
  nextToken?: string;
}

/** The filters of ListUsers, which CountUsers takes too. */
export interface UserFilters {
  emailPrefix?: string;
  userType?: UserType;
  registrationStatus?: RegistrationStatus;
  license?: AssignableLicense;
  /** Members whose address is in this domain. */
  emailDomain?: string;
}

export interface ListUsersQuery extends UserFilters {
  maxResults?: number;
  nextToken?: string;
}

export interface AuditFilters {
  accountId?: string;
  action?: string;
  actorId?: string;
  resourceId?: string;
  /** RFC 3339: events at or after this moment... */
  since?: string;
  /** ...and before this one. */
  until?: string;
}

export interface ListAuditEventsQuery extends AuditFilters {
  maxResults?: number;
  nextToken?: string;
}

const userFilterQuery = (q: UserFilters) => ({
  'email-prefix': q.emailPrefix,
  'user-type': q.userType,
  'registration-status': q.registrationStatus,
  license: q.license,
  'email-domain': q.emailDomain,
});

type Out<T extends z.ZodType> = z.infer<T>;

/** The Chime API bound to a console session; a 401 from any call reports that the session has ended. */
export function createChimeApi(csrfToken: string, onSessionEnded: () => void) {
  async function call<T>(method: string, path: string, options: Omit<RequestOptions, 'csrfToken'> = {}): Promise<T> {
    try {
      return await send<T>(method, path, { ...options, csrfToken });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) onSessionEnded();
      throw e;
    }
  }
  const account = (accountId: string) => `/accounts/${encodeURIComponent(accountId)}`;
  const user = (accountId: string, userId: string) => `${account(accountId)}/users/${encodeURIComponent(userId)}`;

  return {
    listAccounts: (q: ListAccountsQuery) =>
      call<Out<typeof accountOutputs.accounts>>('GET', '/accounts', {
        query: { name: q.name, 'user-email': q.userEmail, 'max-results': q.maxResults, 'next-token': q.nextToken },
      }),
    createAccount: (Name: string) => call<Out<typeof accountOutputs.account>>('POST', '/accounts', { body: { Name } }),
    getAccount: (accountId: string) => call<Out<typeof accountOutputs.account>>('GET', account(accountId)),
    updateAccount: (accountId: string, changes: { Name?: string; DefaultLicense?: AssignableLicense }) =>
      call<Out<typeof accountOutputs.account>>('POST', account(accountId), { body: changes }),
    deleteAccount: (accountId: string) => call<void>('DELETE', account(accountId)),
    getAccountSettings: (accountId: string) => call<Out<typeof accountOutputs.settings>>('GET', `${account(accountId)}/settings`),
    updateAccountSettings: (accountId: string, AccountSettings: Out<typeof accountOutputs.settings>['AccountSettings']) =>
      call<void>('PUT', `${account(accountId)}/settings`, { body: { AccountSettings } }),

    listUsers: (accountId: string, q: ListUsersQuery) =>
      call<Out<typeof userOutputs.users>>('GET', `${account(accountId)}/users`, {
        query: { ...userFilterQuery(q), 'max-results': q.maxResults, 'next-token': q.nextToken },
      }),
    countUsers: (accountId: string, q: UserFilters) =>
      call<Out<typeof userOutputs.count>>('GET', `${account(accountId)}/user-count`, { query: userFilterQuery(q) }),
    getUser: (accountId: string, userId: string) => call<Out<typeof userOutputs.user>>('GET', user(accountId, userId)),
    getUserInvitation: (accountId: string, userId: string) =>
      call<Out<typeof invitationOutputs.invitation>>('GET', `${user(accountId, userId)}/invitation`),
    /** Also resends: for a member whose invitation is pending, a fresh one replaces it (the old link stops working). */
    inviteUsers: (accountId: string, UserEmailList: string[]) =>
      call<Out<typeof invitationOutputs.invites>>('POST', `${account(accountId)}/users`, { query: { operation: 'add' }, body: { UserEmailList } }),
    updateUser: (accountId: string, userId: string, LicenseType: AssignableLicense) =>
      call<Out<typeof userOutputs.user>>('POST', user(accountId, userId), { body: { LicenseType } }),
    batchUpdateUser: (accountId: string, items: { UserId: string; LicenseType: AssignableLicense }[]) =>
      call<Out<typeof userOutputs.userErrors>>('POST', `${account(accountId)}/users`, { body: { UpdateUserRequestItems: items } }),
    batchSuspendUser: (accountId: string, UserIdList: string[]) =>
      call<Out<typeof userOutputs.userErrors>>('POST', `${account(accountId)}/users`, { query: { operation: 'suspend' }, body: { UserIdList } }),
    batchUnsuspendUser: (accountId: string, UserIdList: string[]) =>
      call<Out<typeof userOutputs.userErrors>>('POST', `${account(accountId)}/users`, { query: { operation: 'unsuspend' }, body: { UserIdList } }),
    resetPersonalPin: (accountId: string, userId: string) =>
      call<Out<typeof userOutputs.user>>('POST', user(accountId, userId), { query: { operation: 'reset-personal-pin' } }),
    logoutUser: (accountId: string, userId: string) => call<void>('POST', user(accountId, userId), { query: { operation: 'logout' } }),

    // This list has no NextToken: ask for as many as the API returns in one call.
    listDeletedAccounts: () => call<Out<typeof accountOutputs.deletedAccounts>>('GET', '/deleted-accounts', { query: { 'max-results': DELETED_ACCOUNTS_MAX } }),
    restoreAccount: (accountId: string) =>
      call<Out<typeof accountOutputs.account>>('POST', `/deleted-accounts/${encodeURIComponent(accountId)}`, { query: { operation: 'restore' } }),
    listAuditEvents: (q: ListAuditEventsQuery) =>
      call<Out<typeof auditOutputs.events>>('GET', '/audit-events', {
        query: {
          'account-id': q.accountId,
          action: q.action,
          'actor-id': q.actorId,
          'resource-id': q.resourceId,
          since: q.since,
          until: q.until,
          'max-results': q.maxResults,
          'next-token': q.nextToken,
        },
      }),

    listAdministrators: () => call<Out<typeof administratorOutputs.list>>('GET', '/administrators'),
    inviteAdministrator: (Email: string, Role: Role) => call<AdministratorInvitation>('POST', '/administrators', { body: { Email, Role } }),
    disableAdministrator: (administratorId: string) =>
      call<void>('POST', `/administrators/${encodeURIComponent(administratorId)}`, { query: { operation: 'disable' } }),

    listDomains: (accountId: string, nextToken?: string) =>
      call<Out<typeof domainOutputs.domains>>('GET', `${account(accountId)}/domains`, { query: { 'max-results': 100, 'next-token': nextToken } }),
    claimDomain: (accountId: string, DomainName: string) => call<Out<typeof domainOutputs.domain>>('POST', `${account(accountId)}/domains`, { body: { DomainName } }),
    verifyDomain: (accountId: string, name: string) =>
      call<Out<typeof domainOutputs.domain>>('POST', `${account(accountId)}/domains/${encodeURIComponent(name)}`, { query: { operation: 'verify' } }),
    releaseDomain: (accountId: string, name: string) => call<void>('DELETE', `${account(accountId)}/domains/${encodeURIComponent(name)}`),
    listAccessKeys: () => call<Out<typeof accessKeyOutputs.list>>('GET', '/access-keys'),
    createAccessKey: (input: { Name: string; Role: Role; AccountId?: string }) => call<Out<typeof accessKeyOutputs.created>>('POST', '/access-keys', { body: input }),
    revokeAccessKey: (accessKeyId: string) => call<void>('DELETE', `/access-keys/${encodeURIComponent(accessKeyId)}`),
  };
}

/** The most ListDeletedAccounts answers in its one page; a list this long may have been cut short. */
export const DELETED_ACCOUNTS_MAX = 200;

export type ChimeApi = ReturnType<typeof createChimeApi>;
