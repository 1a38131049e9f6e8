// The users' shapes on the wire, as the Chime API sends them; the console imports these types.
import { z } from 'zod';
import { licenses, userTypes } from '../platform/types.js';

export const registrationStatuses = ['Registered', 'Unregistered', 'Suspended', 'Released'] as const;
export const invitationStatuses = ['Pending', 'Accepted', 'Failed'] as const;
export const emailStatuses = ['NotSent', 'Sent', 'Failed'] as const;

export const userWire = z
  .object({
    UserId: z.string(),
    AccountId: z.string(),
    PrimaryEmail: z.string(),
    DisplayName: z.string().optional(),
    LicenseType: z.enum(licenses),
    UserType: z.enum(userTypes),
    UserRegistrationStatus: z.enum(registrationStatuses),
    UserInvitationStatus: z.enum(invitationStatuses).optional(),
    RegisteredOn: z.string().optional(),
    InvitedOn: z.string().optional(),
    AlexaForBusinessMetadata: z.object({ IsAlexaForBusinessEnabled: z.boolean().optional(), AlexaForBusinessRoomArn: z.string().optional() }).strict().optional(),
    PersonalPIN: z.string().optional(),
  })
  .strict();
export type User = z.infer<typeof userWire>;

/** One refused item of a batch call; ErrorCode is Chime's ErrorCode enum. */
export const userErrorWire = z.object({ UserId: z.string(), ErrorCode: z.string(), ErrorMessage: z.string() }).strict();
export type UserError = z.infer<typeof userErrorWire>;

export const userSettingsWire = z
  .object({ Telephony: z.object({ InboundCalling: z.boolean(), OutboundCalling: z.boolean(), SMS: z.boolean() }).strict() })
  .strict();

export const userOutputs = {
  user: z.object({ User: userWire }).strict(),
  users: z.object({ Users: z.array(userWire), NextToken: z.string().optional() }).strict(),
  userErrors: z.object({ UserErrors: z.array(userErrorWire) }).strict(),
  settings: z.object({ UserSettings: userSettingsWire }).strict(),
  /** Counted up to a cap: past it, `UserCount` is the cap and `Capped` is true ("10,000+"). */
  count: z.object({ UserCount: z.number().int(), Capped: z.boolean() }).strict(),
};
