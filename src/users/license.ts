// License rules: which license a user effectively holds, and who may change it.
import type { AccountType, License } from '../platform/types.js';

/** A Pro trial that has run out continues as Basic. */
export function effectiveLicense(license: License, proTrialEndsAt: string | null, now: Date): License {
  if (license === 'ProTrial' && proTrialEndsAt !== null && Date.parse(proTrialEndsAt) <= now.getTime()) return 'Basic';
  return license;
}

/** On Active Directory and Okta accounts the license follows group membership, not the administrator. */
export function licenseIsDirectoryManaged(type: AccountType): boolean {
  return type === 'EnterpriseDirectory' || type === 'EnterpriseOIDC';
}
