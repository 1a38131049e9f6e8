// API access keys on the wire (Carillon's own operations); the console imports these types.
import { z } from 'zod';
import { roles } from '../platform/roles.js';

export const accessKeyWire = z
  .object({
    AccessKeyId: z.string(),
    Name: z.string(),
    Role: z.enum(roles),
    /** Set when the key sees and changes only this account. */
    AccountId: z.string().optional(),
    CreatedTimestamp: z.string(),
    RevokedTimestamp: z.string().optional(),
  })
  .strict();
export type AccessKey = z.infer<typeof accessKeyWire>;

export const accessKeyOutputs = {
  list: z.object({ AccessKeys: z.array(accessKeyWire) }).strict(),
  /** The secret is in this answer only: it is sealed at rest and never shown again. */
  created: z.object({ AccessKey: accessKeyWire.extend({ SecretAccessKey: z.string() }).strict() }).strict(),
};
