// The audit log's events on the wire (ListAuditEvents); the console imports these types.
import { z } from 'zod';

/** Every action the audit log records, with how the console names it ("Created an account"). A capability that
 *  records a new action adds it here, so a misspelt action does not compile. */
export const auditActions = {
  CreateAccount: 'Created an account',
  UpdateAccount: 'Renamed an account or changed its default license',
  DeleteAccount: 'Deleted an account',
  RestoreAccount: 'Restored a deleted account',
  PurgeAccount: 'Purged an account past its restore window',
  UpdateAccountSettings: "Changed an account's meeting settings",
  AssociateSigninDelegateGroupsWithAccount: 'Added sign-in delegate groups',
  DisassociateSigninDelegateGroupsFromAccount: 'Removed sign-in delegate groups',
  UpdateGlobalSettings: 'Changed the global settings',
  InviteUser: 'Invited a user',
  RevokeInvitation: 'Withdrew an invitation',
  AcceptInvitation: 'Accepted an invitation',
  CreateUser: 'Created a user',
  ProvisionUser: 'Added a user through their identity provider',
  UpdateUser: "Changed a user's license or type",
  BatchUpdateUser: "Changed users' licenses or types",
  RemoveUser: 'Removed a user from the account',
  SuspendUser: 'Suspended a user',
  UnsuspendUser: 'Unsuspended a user',
  ResetPersonalPIN: "Reset a user's personal PIN",
  LogoutUser: 'Signed a user out everywhere',
  UpdateUserSettings: "Changed a user's settings",
  RegisterIdentity: 'Registered an identity',
  SignIn: 'Signed in',
  SignInFailed: 'Failed to sign in',
  SignOutEverywhere: 'Signed out everywhere',
  ResetPassword: 'Reset their password',
  CreateAccessKey: 'Created an API access key',
  RevokeAccessKey: 'Revoked an API access key',
  InviteAdministrator: 'Invited an administrator',
  CreateAdministrator: 'Became an administrator',
  DisableAdministrator: 'Disabled an administrator',
  AdministratorSignIn: 'Signed in to the console',
  AdministratorSignInFailed: 'Failed to sign in to the console',
  AdministratorSignOut: 'Signed out of the console',
  CreateOidcApp: 'Registered an app for OpenID Connect sign-in',
  RevokeOidcApp: 'Revoked an OpenID Connect app',
  RotateOidcSigningKeys: 'Rotated the ID token signing keys',
  ChangeAccountType: "Changed an account's type (Team, Enterprise)",
  ClaimDomain: 'Claimed a domain',
  VerifyDomain: 'Verified a domain',
  DomainVerificationFailed: "A domain claim failed (not verified in time, or verified first by another account)",
  DomainRecordMissing: "A verified domain's DNS record disappeared",
  DomainRecordRestored: "A verified domain's DNS record is back",
  ReleaseDomain: 'Released a domain',
} as const;
export type AuditAction = keyof typeof auditActions;

export const auditEventWire = z
  .object({
    EventId: z.string(),
    OccurredAt: z.string(),
    ActorType: z.string(),
    ActorId: z.string(),
    /** The administrator's email or the access key's name, when known. */
    ActorName: z.string().optional(),
    Action: z.string() as z.ZodType<AuditAction>,
    ResourceType: z.string(),
    ResourceId: z.string(),
    AccountId: z.string().optional(),
    /** The account's current name, when it still exists. */
    AccountName: z.string().optional(),
    SourceIp: z.string().optional(),
    Details: z.record(z.string(), z.unknown()),
  })
  .strict();
export type AuditEvent = z.infer<typeof auditEventWire>;

export const auditOutputs = { events: z.object({ AuditEvents: z.array(auditEventWire), NextToken: z.string().optional() }).strict() };
