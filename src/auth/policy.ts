// Who may do what: the three administrator roles of Chime's managed policies, as a table of operation names.
export const roles = ['full', 'user-management', 'read-only'] as const;
export type Role = (typeof roles)[number];

const readOperations = [
  'GetAccount',
  'ListAccounts',
  'GetAccountSettings',
  'ListUsers',
  'GetUser',
  'GetUserSettings',
  'GetGlobalSettings',
  // Carillon extensions
  'ListDeletedAccounts',
  'ListAuditEvents',
  'GetUserInvitation',
] as const;

const userManagementOperations = [
  ...readOperations,
  'InviteUsers',
  'CreateUser',
  'UpdateUser',
  'BatchUpdateUser',
  'BatchSuspendUser',
  'BatchUnsuspendUser',
  'ResetPersonalPIN',
  'LogoutUser',
  'UpdateUserSettings',
] as const;

const allowed: Record<Role, ReadonlySet<string> | 'all'> = {
  full: 'all',
  'user-management': new Set(userManagementOperations),
  'read-only': new Set(readOperations),
};

export function roleAllows(role: Role, operation: string): boolean {
  const set = allowed[role];
  return set === 'all' || set.has(operation);
}

/** Operations that act on the whole installation, never on one account: keys scoped to an account may not call them. */
export const installationWideOperations: ReadonlySet<string> = new Set(['CreateAccount', 'GetGlobalSettings', 'UpdateGlobalSettings', 'ListDeletedAccounts', 'RestoreAccount']);
