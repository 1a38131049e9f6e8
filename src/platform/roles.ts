// The three administrator roles of Chime's managed policies, and the permissions each holds. The same roles
// apply to console administrators and to access keys. (Imports nothing: the console type-checks it too.)

/**
 * What a caller may be allowed to do, from least to most: `read` (Get*, List*), `manage-users` (Chime's user
 * management policy: invite, create, update, suspend, sign out users), `administer` (everything else).
 */
export const permissions = ['read', 'manage-users', 'administer'] as const;
export type Permission = (typeof permissions)[number];

export const roles = ['full', 'user-management', 'read-only'] as const;
export type Role = (typeof roles)[number];

export const rolePermissions: Record<Role, readonly Permission[]> = {
  full: ['read', 'manage-users', 'administer'],
  'user-management': ['read', 'manage-users'],
  'read-only': ['read'],
};

export const roleAllows = (role: Role, permission: Permission): boolean => rolePermissions[role].includes(permission);
