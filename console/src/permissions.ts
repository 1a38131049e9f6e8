// What each administrator role may change, mirroring the server's policy table (src/auth/policy.ts): the
// console hides what a role may not do. Reading is open to every role.
import type { Role } from './api';

const userManagementOperations = [
  'InviteUsers',
  'UpdateUser',
  'BatchUpdateUser',
  'BatchSuspendUser',
  'BatchUnsuspendUser',
  'ResetPersonalPIN',
  'LogoutUser',
] as const;

const accountOperations = ['CreateAccount', 'UpdateAccount', 'DeleteAccount', 'UpdateAccountSettings', 'RestoreAccount'] as const;

export type WriteOperation = (typeof userManagementOperations)[number] | (typeof accountOperations)[number];

const allowed: Record<Role, ReadonlySet<WriteOperation>> = {
  full: new Set([...userManagementOperations, ...accountOperations]),
  'user-management': new Set(userManagementOperations),
  'read-only': new Set(),
};

export function can(role: Role, operation: WriteOperation): boolean {
  return allowed[role].has(operation);
}
