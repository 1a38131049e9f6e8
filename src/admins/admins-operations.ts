// Carillon's operations on console administrators, for full administrators: list, invite with a role (a one-time
// setup link, as `carillon admins create` prints), and disable.
import { z } from 'zod';
import { AppError } from '../platform/errors.js';
import { defineOperation } from '../platform/operation.js';
import { roles } from '../platform/roles.js';
import { emailAddress, idLabel } from '../platform/wire/shapes.js';
import { administratorOutputs } from './admins-wire.js';
import type { Admin } from './admins-repository.js';

const present = (a: Admin) => ({
  AdministratorId: a.id,
  Email: a.email,
  Name: a.name,
  Role: a.role,
  CreatedTimestamp: a.createdAt,
  ...(a.disabledAt && { DisabledTimestamp: a.disabledAt }),
});

export const adminOperations = [
  defineOperation({
    name: 'ListAdministrators',
    method: 'GET',
    path: '/administrators',
    status: 200,
    permission: 'administer',
    scope: 'installation',
    input: z.object({}),
    output: administratorOutputs.list,
    handle: async ({ services }) => ({ Administrators: (await services.admins.list()).map(present) }),
  }),

  defineOperation({
    name: 'InviteAdministrator',
    method: 'POST',
    path: '/administrators',
    status: 201,
    permission: 'administer',
    scope: 'installation',
    input: z.object({ body: z.object({ Email: emailAddress, Role: z.enum(roles, { message: `must be one of ${roles.join(', ')}` }) }) }),
    output: administratorOutputs.invitation,
    handle: async ({ services, actor }, { body }) => {
      const { link, expiresAt } = await services.admins.createSetupLink(actor, { email: body.Email, role: body.Role });
      return { SetupLink: link, Email: body.Email, Role: body.Role, ExpiresOn: expiresAt };
    },
  }),

  defineOperation({
    name: 'DisableAdministrator',
    method: 'POST',
    path: '/administrators/{administratorId}',
    operation: 'disable',
    status: 204,
    permission: 'administer',
    scope: 'installation',
    input: z.object({ path: z.object({ administratorId: idLabel }), body: z.object({}).passthrough() }),
    output: null,
    handle: async ({ services, actor, principal }, { path }) => {
      // An administrator disabling themselves would be locked out of the console at once.
      if (principal.kind === 'admin' && principal.id === path.administratorId) throw new AppError('admin.self', 'You cannot disable yourself; ask another full administrator.');
      await services.admins.disable(actor, { id: path.administratorId });
    },
  }),
];
