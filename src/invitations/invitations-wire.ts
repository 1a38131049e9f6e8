// The invitations' shapes on the wire; the console imports these types.
import { z } from 'zod';
import { emailStatuses, invitationStatuses } from '../users/users-wire.js';

export const inviteWire = z.object({ InviteId: z.string(), Status: z.enum(invitationStatuses), EmailAddress: z.string(), EmailStatus: z.enum(emailStatuses) }).strict();
export type Invite = z.infer<typeof inviteWire>;

export const invitationWire = z
  .object({
    InviteId: z.string(),
    Status: z.enum(invitationStatuses),
    EmailStatus: z.enum(emailStatuses),
    EmailAddress: z.string(),
    InvitedOn: z.string(),
    ExpiresOn: z.string(),
    /** Where the invitation stands: pending, accepted, expired, or why it ended (revoked, invitee_removed,
     *  account_deleted, superseded, domain_claimed). */
    State: z.enum(['pending', 'accepted', 'expired', 'revoked', 'invitee_removed', 'account_deleted', 'superseded', 'domain_claimed']),
    /** The license the invitee will have on accepting, and whether an administrator chose it (else it is the
     *  account's default at that time). */
    LicenseOnAcceptance: z.enum(['Basic', 'Plus', 'Pro', 'ProTrial']),
    LicenseChosenByAdministrator: z.boolean(),
  })
  .strict();
export type Invitation = z.infer<typeof invitationWire>;

export const invitationOutputs = {
  invites: z.object({ Invites: z.array(inviteWire) }).strict(),
  invitation: z.object({ Invitation: invitationWire }).strict(),
};
