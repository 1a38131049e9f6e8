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

export const plural = (count: number, noun: string, nouns = `${noun}s`) => `${count} ${count === 1 ? noun : nouns}`;
