// Field shapes of the Chime model (lengths, patterns, enums), declared once and shared by every operation.
import { z } from 'zod';
import { accountTypes, assignableLicenses, licenses, userTypes } from '../types.js';

/** No string may carry control characters (NUL would also be refused by PostgreSQL). */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
export const text = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'must not contain control characters')
    // A lone surrogate is not Unicode: the databases would store it altered, and two strings could collide.
    .refine((s) => s.isWellFormed(), 'must be valid Unicode');

/** Chime's NonEmptyString: at least one non-space character. */
export const nonEmpty = (max: number) => text(max).regex(/^.*\S.*$/, 'must contain a non-space character');

/** Path labels: account and user ids. */
export const idLabel = nonEmpty(256);

export const accountName = nonEmpty(100).min(1, 'must be at least 1 character');

export const emailAddress = text(254).regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address');

export const license = z.enum(licenses);
export const assignableLicense = z.enum(assignableLicenses, { message: `must be one of ${assignableLicenses.join(', ')}` });
export const userType = z.enum(userTypes);
export const accountType = z.enum(accountTypes);

export const maxResults = z
  .string()
  .regex(/^\d{1,4}$/, 'must be an integer from 1 to 200')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be at least 1').max(200, 'must be at most 200'))
  .optional();

export const nextToken = text(512).optional();

export const alexaForBusinessMetadata = z.object({
  IsAlexaForBusinessEnabled: z.boolean().optional(),
  AlexaForBusinessRoomArn: text(1024).optional(),
});
