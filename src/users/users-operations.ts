// Chime API operations on users and invitations: each one validates, calls one service method and presents.
import { z } from 'zod';
import { defineOperation } from '../api/operation.js';
import { alexaForBusinessMetadata, assignableLicense, emailAddress, idLabel, license, maxResults, nextToken, text, userType } from '../api/shapes.js';
import { DEFAULT_MAX_RESULTS, decodeNextToken, encodeNextToken } from '../api/next-token.js';
import { presentInvite, presentUser, presentUserErrors } from '../api/present.js';
import type { UserUpdate } from './users-service.js';

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

export const userOperations = [
  defineOperation({
    name: 'InviteUsers',
    method: 'POST',
    path: '/accounts/{accountId}/users',
    operation: 'add',
    status: 201,
    input: z.object({
      path: accountPath,
      body: z.object({ UserEmailList: z.array(emailAddress).min(1).max(50, 'must hold at most 50 addresses'), UserType: userType.optional() }),
    }),
    account: (i) => i.path.accountId,
    handle: async ({ services, actor }, { path, body }) => ({
      Invites: (await services.invitations.inviteUsers(actor, path.accountId, body.UserEmailList, body.UserType)).map(presentInvite),
    }),
  }),

  defineOperation({
    name: 'CreateUser',
    method: 'POST',
    path: '/accounts/{accountId}/users',
    operation: 'create',
    status: 201,
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
    input: z.object({
      path: accountPath,
      query: z.object({
        'user-email': emailAddress.optional(),
        'user-type': userType.optional(),
        // Carillon's console filters; Chime clients never send them.
        'registration-status': z.enum(['Registered', 'Unregistered', 'Suspended']).optional(),
        license: license.optional(),
        'email-prefix': text(254).optional(),
        'max-results': maxResults,
        'next-token': nextToken,
      }),
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
        afterId: decodeNextToken(query['next-token']),
        limit: query['max-results'] ?? DEFAULT_MAX_RESULTS,
      });
      return { Users: result.items.map((u) => presentUser(u, now)), NextToken: encodeNextToken(result.lastId) };
    },
  }),

  defineOperation({
    name: 'GetUser',
    method: 'GET',
    path: '/accounts/{accountId}/users/{userId}',
    status: 200,
    input: z.object({ path: userPath }),
    account: (i) => i.path.accountId,
    handle: async ({ services, now }, { path }) => ({ User: presentUser(await services.users.getUser(path.accountId, path.userId), now) }),
  }),

  defineOperation({
    name: 'UpdateUser',
    method: 'POST',
    path: '/accounts/{accountId}/users/{userId}',
    status: 200,
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
    input: z.object({ path: userPath, body: noBody }),
    account: (i) => i.path.accountId,
    handle: async ({ services, actor }, { path }) => services.users.logoutUser(actor, path.accountId, path.userId),
  }),

  defineOperation({
    name: 'GetUserSettings',
    method: 'GET',
    path: '/accounts/{accountId}/users/{userId}/settings',
    status: 200,
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

  // Carillon extension: the invitation behind a member, for the console's user detail.
  defineOperation({
    name: 'GetUserInvitation',
    method: 'GET',
    path: '/accounts/{accountId}/users/{userId}/invitation',
    status: 200,
    input: z.object({ path: userPath }),
    account: (i) => i.path.accountId,
    handle: async ({ services }, { path }) => {
      const i = await services.invitations.latestInvitationOf(path.accountId, path.userId);
      return { Invitation: { InviteId: i.id, Status: i.status, EmailStatus: i.emailStatus, EmailAddress: i.email, InvitedOn: i.createdAt, ExpiresOn: i.expiresAt } };
    },
  }),
];
