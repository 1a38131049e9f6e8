// The accounts' shapes on the wire, as the Chime API sends them; the console imports these types.
import { z } from 'zod';
import { accountTypes, licenses } from '../platform/types.js';

export const accountWire = z
  .object({
    AwsAccountId: z.string(),
    AccountId: z.string(),
    Name: z.string(),
    AccountType: z.enum(accountTypes),
    CreatedTimestamp: z.string().optional(),
    DefaultLicense: z.enum(licenses).optional(),
    SupportedLicenses: z.array(z.enum(licenses)).optional(),
    AccountStatus: z.enum(['Active', 'Suspended']).optional(),
    SigninDelegateGroups: z.array(z.object({ GroupName: z.string() }).strict()).optional(),
  })
  .strict();
export type Account = z.infer<typeof accountWire>;

export const deletedAccountWire = accountWire.extend({ DeletedTimestamp: z.string(), RestorableUntil: z.string() }).strict();
export type DeletedAccount = z.infer<typeof deletedAccountWire>;

export const accountSettingsWire = z.object({ DisableRemoteControl: z.boolean().optional(), EnableDialOut: z.boolean().optional() }).strict();
export type AccountSettings = z.infer<typeof accountSettingsWire>;

export const accountOutputs = {
  account: z.object({ Account: accountWire }).strict(),
  accounts: z.object({ Accounts: z.array(accountWire), NextToken: z.string().optional() }).strict(),
  deletedAccounts: z.object({ Accounts: z.array(deletedAccountWire) }).strict(),
  settings: z.object({ AccountSettings: accountSettingsWire }).strict(),
  empty: z.object({}).strict(),
};
