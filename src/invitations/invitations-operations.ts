// Chime API operations on invitations: InviteUsers, and Carillon's GetUserInvitation for the console's user detail.
import { z } from 'zod';
import { defineOperation } from '../platform/operation.js';
import { emailAddress, idLabel, userType } from '../platform/wire/shapes.js';
import type { InviteResult } from './invitations-service.js';
import { invitationOutputs, type Invite } from './invitations-wire.js';

const accountPath = z.object({ accountId: idLabel });
const userPath = z.object({ accountId: idLabel, userId: idLabel });

export const presentInvite = (i: InviteResult): Invite => ({ InviteId: i.inviteId, Status: i.status, EmailAddress: i.email, EmailStatus: i.emailStatus });

export const invitationOperations = [
  defineOperation({
    name: 'InviteUsers',
    method: 'POST',
    path: '/accounts/{accountId}/users',
    operation: 'add',
    status: 201,
    permission: 'manage-users',
    scope: 'account',
    account: (i) => i.path.accountId,
    input: z.object({
      path: accountPath,
      body: z.object({ UserEmailList: z.array(emailAddress).min(1).max(50, 'must hold at most 50 addresses'), UserType: userType.optional() }),
    }),
    output: invitationOutputs.invites,
    handle: async ({ services, actor }, { path, body }) => ({
      Invites: (await services.invitations.inviteUsers(actor, path.accountId, body.UserEmailList, body.UserType)).map(presentInvite),
    }),
  }),

  defineOperation({
    name: 'GetUserInvitation',
    method: 'GET',
    path: '/accounts/{accountId}/users/{userId}/invitation',
    status: 200,
    permission: 'read',
    scope: 'account',
    account: (i) => i.path.accountId,
    input: z.object({ path: userPath }),
    output: invitationOutputs.invitation,
    handle: async ({ services }, { path }) => {
      const i = await services.invitations.latestInvitationOf(path.accountId, path.userId);
      return {
        Invitation: {
          InviteId: i.id,
          Status: i.status,
          EmailStatus: i.emailStatus,
          EmailAddress: i.email,
          InvitedOn: i.createdAt,
          ExpiresOn: i.expiresAt,
          State: i.state,
          LicenseOnAcceptance: i.licenseOnAcceptance,
          LicenseChosenByAdministrator: i.licenseChosen,
        },
      };
    },
  }),
];
