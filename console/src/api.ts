// Typed client for the console's session endpoints (/console/api) and the Chime REST API it drives: same-origin
// fetches with the session cookie, and the session's CSRF token on every Chime API call.

export type Role = 'full' | 'user-management' | 'read-only';
export type AccountType = 'Team' | 'EnterpriseLWA' | 'EnterpriseDirectory' | 'EnterpriseOIDC';
export type License = 'Basic' | 'Plus' | 'Pro' | 'ProTrial';
export type AssignableLicense = 'Basic' | 'Pro';
export type UserType = 'PrivateUser' | 'SharedDevice';
export type RegistrationStatus = 'Registered' | 'Unregistered' | 'Suspended' | 'Released';
export type InvitationStatus = 'Pending' | 'Accepted' | 'Failed';
export type EmailStatus = 'NotSent' | 'Sent' | 'Failed';

export interface Administrator {
  AdministratorId: string;
  Email: string;
  Name: string;
  Role: Role;
}

export interface ConsoleSession {
  Administrator: Administrator;
  CsrfToken: string;
  /** The API operations this administrator's role may call. */
  AllowedOperations: string[];
}

export interface SetupLink {
  /** null: the person chooses their own address. */
  Email: string | null;
  Role: Role;
}

export interface Account {
  AccountId: string;
  Name: string;
  AccountType: AccountType;
  AccountStatus?: 'Active' | 'Suspended';
  CreatedTimestamp?: string;
  DefaultLicense?: License;
  SupportedLicenses?: License[];
  SigninDelegateGroups?: { GroupName: string }[];
}

export interface DeletedAccount extends Account {
  DeletedTimestamp: string;
  RestorableUntil: string;
}

export interface AccountSettings {
  DisableRemoteControl?: boolean;
  EnableDialOut?: boolean;
}

export interface User {
  UserId: string;
  AccountId: string;
  PrimaryEmail: string;
  DisplayName?: string;
  LicenseType: License;
  UserType: UserType;
  UserRegistrationStatus: RegistrationStatus;
  UserInvitationStatus?: InvitationStatus;
  RegisteredOn?: string;
  InvitedOn?: string;
  PersonalPIN?: string;
}

export interface Invitation {
  InviteId: string;
  Status: InvitationStatus;
  EmailStatus: EmailStatus;
  EmailAddress: string;
  InvitedOn: string;
  ExpiresOn: string;
}

export interface Invite {
  InviteId: string;
  Status: InvitationStatus;
  EmailAddress: string;
  EmailStatus: EmailStatus;
}

export interface UserError {
  UserId: string;
  ErrorCode: string;
  ErrorMessage: string;
}

export interface AuditEvent {
  EventId: string;
  OccurredAt: string;
  ActorType: string;
  ActorId: string;
  /** The administrator's email or the access key's name, when known. */
  ActorName?: string;
  Action: string;
  ResourceType: string;
  ResourceId: string;
  AccountId?: string;
  SourceIp?: string;
  Details: Record<string, unknown>;
}

/** A failed call: the HTTP status and the error's `Code` and `Message`, as the server sent them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
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
    let parsed: { Code?: unknown; Message?: unknown } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // Not a JSON error body: fall back to the status.
    }
    const code = typeof parsed.Code === 'string' ? parsed.Code : (codeForStatus[response.status] ?? 'ServiceFailure');
    const message = typeof parsed.Message === 'string' ? parsed.Message : `The server answered ${response.status} ${response.statusText}.`;
    throw new ApiError(response.status, code, message);
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

export interface ListUsersQuery {
  emailPrefix?: string;
  userType?: UserType;
  registrationStatus?: RegistrationStatus;
  license?: AssignableLicense;
  maxResults?: number;
  nextToken?: string;
}

export interface ListAuditEventsQuery {
  accountId?: string;
  action?: string;
  actorId?: string;
  resourceId?: string;
  maxResults?: number;
  nextToken?: string;
}

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
      call<{ Accounts: Account[]; NextToken?: string }>('GET', '/accounts', {
        query: { name: q.name, 'user-email': q.userEmail, 'max-results': q.maxResults, 'next-token': q.nextToken },
      }),
    createAccount: (Name: string) => call<{ Account: Account }>('POST', '/accounts', { body: { Name } }),
    getAccount: (accountId: string) => call<{ Account: Account }>('GET', account(accountId)),
    updateAccount: (accountId: string, changes: { Name?: string; DefaultLicense?: AssignableLicense }) =>
      call<{ Account: Account }>('POST', account(accountId), { body: changes }),
    deleteAccount: (accountId: string) => call<void>('DELETE', account(accountId)),
    getAccountSettings: (accountId: string) => call<{ AccountSettings: AccountSettings }>('GET', `${account(accountId)}/settings`),
    updateAccountSettings: (accountId: string, AccountSettings: AccountSettings) =>
      call<void>('PUT', `${account(accountId)}/settings`, { body: { AccountSettings } }),

    listUsers: (accountId: string, q: ListUsersQuery) =>
      call<{ Users: User[]; NextToken?: string }>('GET', `${account(accountId)}/users`, {
        query: {
          'email-prefix': q.emailPrefix,
          'user-type': q.userType,
          'registration-status': q.registrationStatus,
          license: q.license,
          'max-results': q.maxResults,
          'next-token': q.nextToken,
        },
      }),
    getUser: (accountId: string, userId: string) => call<{ User: User }>('GET', user(accountId, userId)),
    getUserInvitation: (accountId: string, userId: string) => call<{ Invitation: Invitation }>('GET', `${user(accountId, userId)}/invitation`),
    inviteUsers: (accountId: string, UserEmailList: string[]) =>
      call<{ Invites: Invite[] }>('POST', `${account(accountId)}/users`, { query: { operation: 'add' }, body: { UserEmailList } }),
    updateUser: (accountId: string, userId: string, LicenseType: AssignableLicense) =>
      call<{ User: User }>('POST', user(accountId, userId), { body: { LicenseType } }),
    batchUpdateUser: (accountId: string, items: { UserId: string; LicenseType: AssignableLicense }[]) =>
      call<{ UserErrors: UserError[] }>('POST', `${account(accountId)}/users`, { body: { UpdateUserRequestItems: items } }),
    batchSuspendUser: (accountId: string, UserIdList: string[]) =>
      call<{ UserErrors: UserError[] }>('POST', `${account(accountId)}/users`, { query: { operation: 'suspend' }, body: { UserIdList } }),
    batchUnsuspendUser: (accountId: string, UserIdList: string[]) =>
      call<{ UserErrors: UserError[] }>('POST', `${account(accountId)}/users`, { query: { operation: 'unsuspend' }, body: { UserIdList } }),
    resetPersonalPin: (accountId: string, userId: string) =>
      call<{ User: User }>('POST', user(accountId, userId), { query: { operation: 'reset-personal-pin' } }),
    logoutUser: (accountId: string, userId: string) => call<void>('POST', user(accountId, userId), { query: { operation: 'logout' } }),

    // This list has no NextToken: ask for as many as the API returns in one call.
    listDeletedAccounts: () => call<{ Accounts: DeletedAccount[] }>('GET', '/deleted-accounts', { query: { 'max-results': 200 } }),
    restoreAccount: (accountId: string) =>
      call<{ Account: Account }>('POST', `/deleted-accounts/${encodeURIComponent(accountId)}`, { query: { operation: 'restore' } }),
    listAuditEvents: (q: ListAuditEventsQuery) =>
      call<{ AuditEvents: AuditEvent[]; NextToken?: string }>('GET', '/audit-events', {
        query: {
          'account-id': q.accountId,
          action: q.action,
          'actor-id': q.actorId,
          'resource-id': q.resourceId,
          'max-results': q.maxResults,
          'next-token': q.nextToken,
        },
      }),
  };
}

export type ChimeApi = ReturnType<typeof createChimeApi>;
