// Chime API operations on accounts: each one validates, calls one service method and presents the result.
import { z } from 'zod';
import { defineOperation } from '../api/operation.js';
import { accountName, assignableLicense, emailAddress, idLabel, maxResults, nextToken, nonEmpty } from '../api/shapes.js';
import { DEFAULT_MAX_RESULTS, decodeNextToken, encodeNextToken } from '../api/next-token.js';
import { presentAccount } from '../api/present.js';
import { DAY_MS } from '../platform/clock.js';
import { RESTORE_WINDOW_DAYS } from './accounts-service.js';

const accountPath = z.object({ accountId: idLabel });
const noBody = z.object({}).passthrough();

export const accountOperations = [
  defineOperation({
    name: 'CreateAccount',
    method: 'POST',
    path: '/accounts',
    status: 201,
    input: z.object({ body: z.object({ Name: accountName }) }),
    handle: async ({ services, actor }, { body }) => {
      const account = await services.accounts.createAccount(actor, body.Name);
      return { Account: presentAccount(account, await services.settings.getOwnerId()) };
    },
  }),

  defineOperation({
    name: 'GetAccount',
    method: 'GET',
    path: '/accounts/{accountId}',
    status: 200,
    input: z.object({ path: accountPath }),
    account: (i) => i.path.accountId,
    handle: async ({ services }, { path }) => ({
      Account: presentAccount(await services.accounts.getAccount(path.accountId), await services.settings.getOwnerId()),
    }),
  }),

  defineOperation({
    name: 'ListAccounts',
    method: 'GET',
    path: '/accounts',
    status: 200,
    input: z.object({
      query: z.object({ name: accountName.optional(), 'user-email': emailAddress.optional(), 'max-results': maxResults, 'next-token': nextToken }),
    }),
    handle: async ({ services, principal }, { query }) => {
      const result = await services.accounts.listAccounts({
        namePrefix: query.name,
        userEmail: query['user-email'],
        onlyAccountId: principal.accountId ?? undefined,
        afterId: decodeNextToken(query['next-token']),
        limit: query['max-results'] ?? DEFAULT_MAX_RESULTS,
      });
      const ownerId = await services.settings.getOwnerId();
      return { Accounts: result.items.map((a) => presentAccount(a, ownerId)), NextToken: encodeNextToken(result.lastId) };
    },
  }),

  defineOperation({
    name: 'UpdateAccount',
    method: 'POST',
    path: '/accounts/{accountId}',
    status: 200,
    input: z.object({ path: accountPath, body: z.object({ Name: accountName.optional(), DefaultLicense: assignableLicense.optional() }) }),
    account: (i) => i.path.accountId,
    handle: async ({ services, actor }, { path, body }) => ({
      Account: presentAccount(
        await services.accounts.updateAccount(actor, path.accountId, { name: body.Name, defaultLicense: body.DefaultLicense }),
        await services.settings.getOwnerId(),
      ),
    }),
  }),

  defineOperation({
    name: 'DeleteAccount',
    method: 'DELETE',
    path: '/accounts/{accountId}',
    status: 204,
    input: z.object({ path: accountPath, body: noBody }),
    account: (i) => i.path.accountId,
    handle: async ({ services, actor }, { path }) => services.accounts.deleteAccount(actor, path.accountId),
  }),

  defineOperation({
    name: 'GetAccountSettings',
    method: 'GET',
    path: '/accounts/{accountId}/settings',
    status: 200,
    input: z.object({ path: accountPath }),
    account: (i) => i.path.accountId,
    handle: async ({ services }, { path }) => {
      const s = await services.accounts.getAccountSettings(path.accountId);
      return { AccountSettings: { DisableRemoteControl: s.disableRemoteControl, EnableDialOut: s.enableDialOut } };
    },
  }),

  defineOperation({
    name: 'UpdateAccountSettings',
    method: 'PUT',
    path: '/accounts/{accountId}/settings',
    status: 204,
    input: z.object({
      path: accountPath,
      body: z.object({ AccountSettings: z.object({ DisableRemoteControl: z.boolean().optional(), EnableDialOut: z.boolean().optional() }) }),
    }),
    account: (i) => i.path.accountId,
    handle: async ({ services, actor }, { path, body }) =>
      services.accounts.updateAccountSettings(actor, path.accountId, {
        disableRemoteControl: body.AccountSettings.DisableRemoteControl,
        enableDialOut: body.AccountSettings.EnableDialOut,
      }),
  }),

  defineOperation({
    name: 'AssociateSigninDelegateGroupsWithAccount',
    method: 'POST',
    path: '/accounts/{accountId}',
    operation: 'associate-signin-delegate-groups',
    status: 200,
    input: z.object({
      path: accountPath,
      body: z.object({ SigninDelegateGroups: z.array(z.object({ GroupName: nonEmpty(256) })).min(1).max(50) }),
    }),
    account: (i) => i.path.accountId,
    handle: async ({ services, actor }, { path, body }) => {
      await services.accounts.associateSigninDelegateGroups(actor, path.accountId, body.SigninDelegateGroups.map((g) => g.GroupName));
      return {};
    },
  }),

  defineOperation({
    name: 'DisassociateSigninDelegateGroupsFromAccount',
    method: 'POST',
    path: '/accounts/{accountId}',
    operation: 'disassociate-signin-delegate-groups',
    status: 200,
    input: z.object({ path: accountPath, body: z.object({ GroupNames: z.array(nonEmpty(256)).min(1).max(50) }) }),
    account: (i) => i.path.accountId,
    handle: async ({ services, actor }, { path, body }) => {
      await services.accounts.disassociateSigninDelegateGroups(actor, path.accountId, body.GroupNames);
      return {};
    },
  }),

  // Carillon extensions, beyond Chime's API: the 90-day restore of deleted accounts.
  defineOperation({
    name: 'ListDeletedAccounts',
    method: 'GET',
    path: '/deleted-accounts',
    status: 200,
    input: z.object({ query: z.object({ 'max-results': maxResults }) }),
    handle: async ({ services }, { query }) => {
      const accounts = await services.accounts.listDeletedAccounts(query['max-results'] ?? DEFAULT_MAX_RESULTS);
      const ownerId = await services.settings.getOwnerId();
      return {
        Accounts: accounts.map((a) => ({
          ...presentAccount(a, ownerId),
          DeletedTimestamp: a.deletedAt!,
          RestorableUntil: new Date(Date.parse(a.deletedAt!) + RESTORE_WINDOW_DAYS * DAY_MS).toISOString(),
        })),
      };
    },
  }),

  defineOperation({
    name: 'RestoreAccount',
    method: 'POST',
    path: '/deleted-accounts/{accountId}',
    operation: 'restore',
    status: 200,
    input: z.object({ path: accountPath, body: noBody }),
    account: (i) => i.path.accountId,
    handle: async ({ services, actor }, { path }) => ({
      Account: presentAccount(await services.accounts.restoreAccount(actor, path.accountId), await services.settings.getOwnerId()),
    }),
  }),
];
