// Chime API operations on accounts: each one validates, calls one service method and presents the result.
import { z } from 'zod';
import { defineOperation } from '../platform/operation.js';
import { accountName, assignableLicense, emailAddress, idLabel, maxResults, nextToken, nonEmpty } from '../platform/wire/shapes.js';
import { DEFAULT_MAX_RESULTS, decodeNextToken, encodeNextToken } from '../platform/wire/next-token.js';
import { DAY_MS } from '../platform/clock.js';
import { assignableLicenses } from '../platform/types.js';
import type { Account } from './accounts-repository.js';
import { RESTORE_WINDOW_DAYS } from './accounts-service.js';
import { accountOutputs, type Account as AccountWire } from './accounts-wire.js';

const accountPath = z.object({ accountId: idLabel });
const noBody = z.object({}).passthrough();

/** An account as the Chime API shows it (absent optionals are left out, never null). */
export function presentAccount(a: Account, ownerId: string): AccountWire {
  return {
    AwsAccountId: ownerId,
    AccountId: a.id,
    Name: a.name,
    AccountType: a.type,
    CreatedTimestamp: a.createdAt,
    DefaultLicense: a.defaultLicense,
    SupportedLicenses: [...assignableLicenses],
    AccountStatus: a.status,
    SigninDelegateGroups: a.signinDelegateGroups.map((GroupName) => ({ GroupName })),
  };
}

export const accountOperations = [
  defineOperation({
    name: 'CreateAccount',
    method: 'POST',
    path: '/accounts',
    status: 201,
    permission: 'administer',
    scope: 'installation',
    input: z.object({ body: z.object({ Name: accountName }) }),
    output: accountOutputs.account,
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
    permission: 'read',
    scope: 'account',
    account: (i) => i.path.accountId,
    input: z.object({ path: accountPath }),
    output: accountOutputs.account,
    handle: async ({ services }, { path }) => ({
      Account: presentAccount(await services.accounts.getAccount(path.accountId), await services.settings.getOwnerId()),
    }),
  }),

  defineOperation({
    name: 'ListAccounts',
    method: 'GET',
    path: '/accounts',
    status: 200,
    permission: 'read',
    scope: 'confined',
    input: z.object({
      query: z.object({ name: accountName.optional(), 'user-email': emailAddress.optional(), 'max-results': maxResults, 'next-token': nextToken }),
    }),
    output: accountOutputs.accounts,
    handle: async ({ services, principal }, { query }) => {
      // Start from the (few) memberships of that email, not from every account.
      const amongIds = query['user-email'] === undefined ? undefined : await services.users.accountIdsOfEmail(query['user-email']);
      const result = await services.accounts.listAccounts({
        namePrefix: query.name,
        amongIds,
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
    permission: 'administer',
    scope: 'account',
    account: (i) => i.path.accountId,
    input: z.object({ path: accountPath, body: z.object({ Name: accountName.optional(), DefaultLicense: assignableLicense.optional() }) }),
    output: accountOutputs.account,
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
    permission: 'administer',
    scope: 'account',
    account: (i) => i.path.accountId,
    input: z.object({ path: accountPath, body: noBody }),
    output: null,
    handle: async ({ services, actor }, { path }) => services.accounts.deleteAccount(actor, path.accountId),
  }),

  defineOperation({
    name: 'GetAccountSettings',
    method: 'GET',
    path: '/accounts/{accountId}/settings',
    status: 200,
    permission: 'read',
    scope: 'account',
    account: (i) => i.path.accountId,
    input: z.object({ path: accountPath }),
    output: accountOutputs.settings,
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
    permission: 'administer',
    scope: 'account',
    account: (i) => i.path.accountId,
    input: z.object({
      path: accountPath,
      body: z.object({ AccountSettings: z.object({ DisableRemoteControl: z.boolean().optional(), EnableDialOut: z.boolean().optional() }) }),
    }),
    output: null,
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
    permission: 'administer',
    scope: 'account',
    account: (i) => i.path.accountId,
    input: z.object({
      path: accountPath,
      body: z.object({ SigninDelegateGroups: z.array(z.object({ GroupName: nonEmpty(256) })).min(1).max(50) }),
    }),
    output: accountOutputs.empty,
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
    permission: 'administer',
    scope: 'account',
    account: (i) => i.path.accountId,
    input: z.object({ path: accountPath, body: z.object({ GroupNames: z.array(nonEmpty(256)).min(1).max(50) }) }),
    output: accountOutputs.empty,
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
    permission: 'read',
    scope: 'installation',
    input: z.object({ query: z.object({ 'max-results': maxResults }) }),
    output: accountOutputs.deletedAccounts,
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
    permission: 'administer',
    scope: 'installation',
    input: z.object({ path: accountPath, body: noBody }),
    output: accountOutputs.account,
    handle: async ({ services, actor }, { path }) => ({
      Account: presentAccount(await services.accounts.restoreAccount(actor, path.accountId), await services.settings.getOwnerId()),
    }),
  }),
];
