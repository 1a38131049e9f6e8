// Display names and formats shared by the screens.
import type { AccountType, Role, UserType } from './api';

export const accountTypeLabels: Record<AccountType, string> = {
  Team: 'Team',
  EnterpriseLWA: 'Enterprise LWA',
  EnterpriseDirectory: 'Enterprise Active Directory',
  EnterpriseOIDC: 'Enterprise OpenID Connect (Okta)',
};

export const roleLabels: Record<Role, string> = {
  full: 'Full access',
  'user-management': 'User management',
  'read-only': 'Read-only',
};

/** What each role may do, as Chime's managed policies put it. */
export const roleDescriptions: Record<Role, string> = {
  full: 'Everything, including administrators, access keys and restoring deleted accounts.',
  'user-management': 'Reads accounts; invites, creates, updates, suspends and signs out users, and resets their PINs.',
  'read-only': 'Reads everything, the audit log included; changes nothing.',
};

export const roleOptions = (Object.keys(roleLabels) as Role[]).map((value) => ({ value, label: roleLabels[value], description: roleDescriptions[value] }));

export const userTypeLabels: Record<UserType, string> = {
  PrivateUser: 'Private user',
  SharedDevice: 'Shared device',
};

/** Directory-backed accounts take licenses and suspension from the identity provider, never from the console. */
export const isDirectoryManaged = (type: AccountType) => type === 'EnterpriseDirectory' || type === 'EnterpriseOIDC';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** The administrator's local time to the second, for the audit log (where events seconds apart matter). */
export function formatPreciseDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeSeconds.format(date);
}

/** The same moment in UTC, ISO 8601 to the second: "2026-12-04 21:04:42 UTC". */
export function formatUtc(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const integer = new Intl.NumberFormat('en-US');

export const formatNumber = (n: number) => integer.format(n);

/** A count for a table header: "1,024", or "10,000+" when the server stopped counting at its cap. */
export const formatCount = (count: number, capped = false) => `${integer.format(count)}${capped ? '+' : ''}`;

export const plural = (count: number, noun: string, nouns = `${noun}s`) => `${integer.format(count)} ${count === 1 ? noun : nouns}`;
