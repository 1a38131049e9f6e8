// Presenters: domain objects to Chime wire structures (absent optionals are omitted, never null).
import type { Account } from '../accounts/accounts-repository.js';
import type { InviteResult } from '../invitations/invitations-service.js';
import type { UserFailure } from '../users/users-service.js';
import { effectiveLicense } from '../users/license.js';
import type { User } from '../users/users-repository.js';
import { assignableLicenses } from '../platform/types.js';
import { wireErrors } from './wire-errors.js';

/** The object without its undefined and null fields (a loop: this runs for every user of every response). */
function defined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const key in o) {
    const value = o[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out as T;
}

export function presentAccount(a: Account, ownerId: string) {
  return defined({
    AwsAccountId: ownerId,
    AccountId: a.id,
    Name: a.name,
    AccountType: a.type,
    CreatedTimestamp: a.createdAt,
    DefaultLicense: a.defaultLicense,
    SupportedLicenses: [...assignableLicenses],
    AccountStatus: a.status,
    SigninDelegateGroups: a.signinDelegateGroups.map((GroupName) => ({ GroupName })),
  });
}

export function presentUser(u: User, now: Date) {
  return defined({
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
    AlexaForBusinessMetadata:
      u.alexaEnabled === null && u.alexaRoomArn === null
        ? undefined
        : defined({ IsAlexaForBusinessEnabled: u.alexaEnabled, AlexaForBusinessRoomArn: u.alexaRoomArn }),
    PersonalPIN: u.personalPin,
  });
}

export function presentInvite(i: InviteResult) {
  return { InviteId: i.inviteId, Status: i.status, EmailAddress: i.email, EmailStatus: i.emailStatus };
}

export function presentUserErrors(failures: UserFailure[]) {
  return failures.map((f) => ({ UserId: f.userId, ErrorCode: wireErrors[f.code].code, ErrorMessage: f.message }));
}
