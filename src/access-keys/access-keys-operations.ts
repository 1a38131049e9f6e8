// Carillon's operations on API access keys, for full administrators: list, create (the secret is shown once), and
// revoke (the key stops working within about a second on every node).
import { z } from 'zod';
import { defineOperation } from '../platform/operation.js';
import { roles } from '../platform/roles.js';
import { idLabel, nonEmpty } from '../platform/wire/shapes.js';
import type { AccessKey } from './access-keys-repository.js';
import { accessKeyOutputs } from './access-keys-wire.js';

const present = (k: AccessKey) => ({
  AccessKeyId: k.id,
  Name: k.name,
  Role: k.role,
  ...(k.accountId && { AccountId: k.accountId }),
  CreatedTimestamp: k.createdAt,
  ...(k.revokedAt && { RevokedTimestamp: k.revokedAt }),
});

export const accessKeyOperations = [
  defineOperation({
    name: 'ListAccessKeys',
    method: 'GET',
    path: '/access-keys',
    status: 200,
    permission: 'administer',
    scope: 'installation',
    input: z.object({}),
    output: accessKeyOutputs.list,
    handle: async ({ services }) => ({ AccessKeys: (await services.accessKeys.listKeys()).map(present) }),
  }),

  defineOperation({
    name: 'CreateAccessKey',
    method: 'POST',
    path: '/access-keys',
    status: 201,
    permission: 'administer',
    scope: 'installation',
    input: z.object({ body: z.object({ Name: nonEmpty(100), Role: z.enum(roles, { message: `must be one of ${roles.join(', ')}` }), AccountId: idLabel.optional() }) }),
    output: accessKeyOutputs.created,
    handle: async ({ services, actor }, { body }) => {
      const key = await services.accessKeys.createKey(actor, { name: body.Name, role: body.Role, accountId: body.AccountId });
      return { AccessKey: { ...present(key), SecretAccessKey: key.secretAccessKey } };
    },
  }),

  defineOperation({
    name: 'RevokeAccessKey',
    method: 'DELETE',
    path: '/access-keys/{accessKeyId}',
    status: 204,
    permission: 'administer',
    scope: 'installation',
    input: z.object({ path: z.object({ accessKeyId: idLabel }), body: z.object({}).passthrough() }),
    output: null,
    handle: async ({ services, actor }, { path }) => void (await services.accessKeys.revokeKey(actor, path.accessKeyId)),
  }),
];
