// Console administrators on the wire (Carillon's own operations); the console imports these types.
import { z } from 'zod';
import { roles } from '../platform/roles.js';

export const administratorWire = z
  .object({
    AdministratorId: z.string(),
    Email: z.string(),
    Name: z.string(),
    Role: z.enum(roles),
    CreatedTimestamp: z.string(),
    DisabledTimestamp: z.string().optional(),
  })
  .strict();
export type Administrator = z.infer<typeof administratorWire>;

export const administratorOutputs = {
  list: z.object({ Administrators: z.array(administratorWire) }).strict(),
  /** The one-time link with which the invited person sets their own password (shown once, never stored). */
  invitation: z.object({ SetupLink: z.string(), Email: z.string(), Role: z.enum(roles), ExpiresOn: z.string() }).strict(),
};
