// Chime API operations on users and invitations: each one validates, calls one service method and presents.
import { z } from 'zod';
import { defineOperation } from '../platform/operation.js';
import { alexaForBusinessMetadata, assignableLicense, emailAddress, idLabel, license, maxResults, nextToken, text, userType } from '../platform/wire/shapes.js';
import { DEFAULT_MAX_RESULTS, decodeNextToken, encodeNextToken } from '../platform/wire/next-token.js';
import { chimeErrors } from '../platform/wire/chime-errors.js';
import { effectiveLicense } from './license.js';
import type { User } from './users-repository.js';
import type { UserFailure, UserUpdate } from './users-service.js';
import { registrationStatuses, userOutputs, type User as UserWire, type UserError } from './users-wire.js';

const accountPath = z.object({ accountId: idLabel });
const userPath = z.object({ accountId: idLabel, userId: idLabel });
const noBody = z.object({}).passthrough();

const userUpdateFields = {
  LicenseType: assignableLicense.optional(),
  UserType: userType.optional(),
  AlexaForBusinessMetadata: alexaForBusinessMetadata.optional(),
};

function toUserUpdate(b: { LicenseType?: 'Basic' | 'Pro' | undefined; UserType?: 'PrivateUser' | 'SharedDevice' | undefined; AlexaForBusinessMetadata?: z.infer<typeof alexaForBusinessMetadata> | undefined }): UserUpdate {
  return {
    licenseType: b.LicenseType,
    userType: b.UserType,
    alexaForBusiness: b.AlexaForBusinessMetadata && {
      enabled: b.AlexaForBusinessMetadata.IsAlexaForBusinessEnabled,
      roomArn: b.AlexaForBusinessMetadata.AlexaForBusinessRoomArn,
    },
  };
}

const distinctIds = (ids: string[]) => new Set(ids).size === ids.length;

/** A member as the Chime API shows it: absent optionals are left out, never null, and the fields keep Chime's
 *  order (a loop rather than spreads: this runs for every user of every response). */
export function presentUser(u: User, now: Date): UserWire {
  const alexa =
    u.alexaEnabled === null && u.alexaRoomArn === null
      ? null
      : withoutEmpty({ IsAlexaForBusinessEnabled: u.alexaEnabled, AlexaForBusinessRoomArn: u.alexaRoomArn });
  return withoutEmpty({
    UserId: u.id,
    AccountId: u.accountId,
    PrimaryEmail: u.email,
    DisplayName: u.displayName,
    LicenseType: effectiveLicense(u.license, u.proTrialEndsAt, now),
    UserType: u.userType,
    UserRegistrationStatus: u.registrationStatus,
    UserInvitationStatus: u.invitationStatus,
    RegisteredOn: u.registeredOn,
    InvitedOn: u.invitedOn,
    AlexaForBusinessMetadata: alexa,
    PersonalPIN: u.personalPin,
  }) as UserWire;
}

/** The object without its null and undefined fields, in the same order. */
function withoutEmpty<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], null> } {
  const out: Record<string, unknown> = {};
  for (const key in o) {
    const value = o[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out as { [K in keyof T]: Exclude<T[K], null> };
}

export function presentUserErrors(failures: UserFailure[]): UserError[] {
  return failures.map((f) => ({ UserId: f.userId, ErrorCode: chimeErrors[f.code].code, ErrorMessage: f.message }));
}

/** The filters of ListUsers, Chime's and the console's own. */
const userFilters = {
  'user-email': emailAddress.optional(),
  'user-type': userType.optional(),
  // Carillon's console filters; Chime clients never send them.
  'registration-status': z.enum(registrationStatuses).optional(),
  license: license.optional(),
  'email-prefix': text(254).optional(),
  // Members whose address is in this domain (the console counts a domain's people before releasing it).
  'email-domain': text(253).transform((d) => d.trim().toLowerCase()).optional(),
};

/** Counting stops here: the console shows "10,000+" rather than walking a huge account. */
export const USER_COUNT_CAP = 10_000;

export const userOperations = [
  defineOperation({
    name: 'CreateUser',
    method: 'POST',
    path: '/accounts/{accountId}/users',
    operation: 'create',
    status: 201,
    permission: 'manage-users',
    scope: 'account',
    output: userOutputs.user,
    input: z.object({
      path: accountPath,
      body: z.object({ Username: text(100).regex(/\S/, 'must contain a non-space character').optional(), Email: emailAddress, UserType: userType.optional() }),
    }),
    account: (i) => i.path.accountId,
    handle: async ({ services, actor, now }, { path, body }) => ({
      User: presentUser(await services.users.createUser(actor, path.accountId, { username: body.Username, email: body.Email, userType: body.UserType }), now),
    }),
  }),

  defineOperation({
    name: 'ListUsers',
    method: 'GET',
    path: '/accounts/{accountId}/users',
    status: 200,
    permission: 'read',
    scope: 'account',
    output: userOutputs.users,
    input: z.object({
      path: accountPath,
      query: z.object({ ...userFilters, 'max-results': maxResults, 'next-token': nextToken }),
    }),
    account: (i) => i.path.accountId,
    handle: async ({ services, now }, { path, query }) => {
      const result = await services.users.listUsers({
        accountId: path.accountId,
        userEmail: query['user-email'],
        userType: query['user-type'],
        registrationStatus: query['registration-status'],
        license: query.license,
        emailPrefix: query['email-prefix'],
        emailDomain: query['email-domain'],
        afterId: decodeNextToken(query['next-token']),
        limit: query['max-results'] ?? DEFAULT_MAX_RESULTS,
      });
      return { Users: result.items.map((u) => presentUser(u, now)), NextToken: encodeNextToken(result.lastId) };
    },
  }),

  // Carillon extension: how many members ListUsers' filters keep, for the console's table headers.
  defineOperation({
    name: 'CountUsers',
    method: 'GET',
    path: '/accounts/{accountId}/user-count',
    status: 200,
    permission: 'read',
    scope: 'account',
    output: userOutputs.count,
    input: z.object({ path: accountPath, query: z.object(userFilters) }),
    account: (i) => i.path.accountId,
    handle: async ({ services }, { path, query }) => {
      const { count, capped } = await services.users.countUsers(
        { accountId: path.accountId, userEmail: query['user-email'], userType: query['user-type'], registrationStatus: query['registration-status'], license: query.license, emailPrefix: query['email-prefix'], emailDomain: query['email-domain'] },
        USER_COUNT_CAP,
      );
      return { UserCount: count, Capped: capped };
    },
  }),

  defineOperation({
    name: 'GetUser',
    method: 'GET',
    path: '/accounts/{accountId}/users/{userId}',
    status: 200,
    permission: 'read',
    scope: 'account',
    output: userOutputs.user,
    input: z.object({ path: userPath }),
    account: (i) => i.path.accountId,
    handle: async ({ services, now }, { path }) => ({ User: presentUser(await services.users.getUser(path.accountId, path.userId), now) }),
  }),

  defineOperation({
    name: 'UpdateUser',
    method: 'POST',
    path: '/accounts/{accountId}/users/{userId}',
    status: 200,
    permission: 'manage-users',
    scope: 'account',
    output: userOutputs.user,
    input: z.object({ path: userPath, body: z.object(userUpdateFields) }),
    account: (i) => i.path.accountId,
    handle: async ({ services, actor, now }, { path, body }) => ({
      User: presentUser(await services.users.updateUser(actor, path.accountId, path.userId, toUserUpdate(body)), now),
    }),
  }),

  defineOperation({
    name: 'BatchUpdateUser',
    method: 'POST',
    path: '/accounts/{accountId}/users',
    status: 200,
    permission: 'manage-users',
    scope: 'account',
    output: userOutputs.userErrors,
    input: z.object({
      path: accountPath,
      body: z.object({
        UpdateUserRequestItems: z
          .array(z.object({ UserId: idLabel, ...userUpdateFields }))
          .min(1)
          .max(20, 'must hold at most 20 items')
          .refine((items) => distinctIds(items.map((i) => i.UserId)), 'must not name the same UserId twice'),
      }),
    }),
    account: (i) => i.path.accountId,
    handle: async ({ services, actor }, { path, body }) => ({
      UserErrors: presentUserErrors(
        await services.users.batchUpdateUsers(actor, path.accountId, body.UpdateUserRequestItems.map((i) => ({ userId: i.UserId, ...toUserUpdate(i) }))),
      ),
    }),
  }),

  defineOperation({
    name: 'BatchSuspendUser',
    method: 'POST',
    path: '/accounts/{accountId}/users',
    operation: 'suspend',
    status: 200,
    permission: 'manage-users',
    scope: 'account',
    output: userOutputs.userErrors,
    input: z.object({ path: accountPath, body: z.object({ UserIdList: z.array(idLabel).min(1).max(50, 'must hold at most 50 user ids') }) }),
    account: (i) => i.path.accountId,
    handle: async ({ services, actor }, { path, body }) => ({
      UserErrors: presentUserErrors(await services.users.batchSuspendUsers(actor, path.accountId, body.UserIdList)),
    }),
  }),

  defineOperation({
    name: 'BatchUnsuspendUser',
    method: 'POST',
    path: '/accounts/{accountId}/users',
    operation: 'unsuspend',
    status: 200,
    permission: 'manage-users',
    scope: 'account',
    output: userOutputs.userErrors,
    input: z.object({ path: accountPath, body: z.object({ UserIdList: z.array(idLabel).min(1).max(50, 'must hold at most 50 user ids') }) }),
    account: (i) => i.path.accountId,
    handle: async ({ services, actor }, { path, body }) => ({
      UserErrors: presentUserErrors(await services.users.batchUnsuspendUsers(actor, path.accountId, body.UserIdList)),
    }),
  }),

  defineOperation({
    name: 'ResetPersonalPIN',
    method: 'POST',
    path: '/accounts/{accountId}/users/{userId}',
    operation: 'reset-personal-pin',
    status: 200,
    permission: 'manage-users',
    scope: 'account',
    output: userOutputs.user,
    input: z.object({ path: userPath, body: noBody }),
    account: (i) => i.path.accountId,
    handle: async ({ services, actor, now }, { path }) => ({
      User: presentUser(await services.users.resetPersonalPin(actor, path.accountId, path.userId), now),
    }),
  }),

  defineOperation({
    name: 'LogoutUser',
    method: 'POST',
    path: '/accounts/{accountId}/users/{userId}',
    operation: 'logout',
    status: 204,
    permission: 'manage-users',
    scope: 'account',
    output: null,
    input: z.object({ path: userPath, body: noBody }),
    account: (i) => i.path.accountId,
    handle: async ({ services, actor }, { path }) => services.users.logoutUser(actor, path.accountId, path.userId),
  }),

  defineOperation({
    name: 'GetUserSettings',
    method: 'GET',
    path: '/accounts/{accountId}/users/{userId}/settings',
    status: 200,
    permission: 'read',
    scope: 'account',
    output: userOutputs.settings,
    input: z.object({ path: userPath }),
    account: (i) => i.path.accountId,
    handle: async ({ services }, { path }) => {
      const t = await services.users.getUserSettings(path.accountId, path.userId);
      return { UserSettings: { Telephony: { InboundCalling: t.inboundCalling, OutboundCalling: t.outboundCalling, SMS: t.sms } } };
    },
  }),

  defineOperation({
    name: 'UpdateUserSettings',
    method: 'PUT',
    path: '/accounts/{accountId}/users/{userId}/settings',
    status: 204,
    permission: 'manage-users',
    scope: 'account',
    output: null,
    input: z.object({
      path: userPath,
      body: z.object({
        UserSettings: z.object({ Telephony: z.object({ InboundCalling: z.boolean(), OutboundCalling: z.boolean(), SMS: z.boolean() }) }),
      }),
    }),
    account: (i) => i.path.accountId,
    handle: async ({ services, actor }, { path, body }) =>
      services.users.updateUserSettings(actor, path.accountId, path.userId, {
        inboundCalling: body.UserSettings.Telephony.InboundCalling,
        outboundCalling: body.UserSettings.Telephony.OutboundCalling,
        sms: body.UserSettings.Telephony.SMS,
      }),
  }),
];
