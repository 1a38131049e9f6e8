// The three administrator roles of Chime's managed policies, and the permissions each holds. The same roles
// apply to console administrators and to access keys.
import type { Permission } from './operation.js';

export const roles = ['full', 'user-management', 'read-only'] as const;
export type Role = (typeof roles)[number];

export const rolePermissions: Record<Role, readonly Permission[]> = {
  full: ['read', 'manage-users', 'administer'],
  'user-management': ['read', 'manage-users'],
  'read-only': ['read'],
};

export const roleAllows = (role: Role, permission: Permission): boolean => rolePermissions[role].includes(permission);
