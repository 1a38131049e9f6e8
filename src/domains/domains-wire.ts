// The claimed domains' shapes on the wire (a Carillon resource, in the Chime API's style); the console imports these.
import { z } from 'zod';

export const domainStatuses = ['PendingVerification', 'Verified', 'Failed'] as const;
export const lastCheckResults = ['Found', 'NotFound', 'WrongValue', 'Timeout', 'ServerFailure', 'ClaimedByAnotherAccount'] as const;

export const domainWire = z
  .object({
    DomainName: z.string(),
    Status: z.enum(domainStatuses),
    /** The TXT record to publish: its name, and the exact value the checks look for. */
    VerificationRecord: z.object({ Name: z.string(), Type: z.literal('TXT'), Value: z.string() }).strict(),
    ClaimedTimestamp: z.string(),
    VerifiedTimestamp: z.string().optional(),
    LastCheckedTimestamp: z.string().optional(),
    /** What the last look at DNS saw (Found when it saw the record). */
    LastCheckResult: z.enum(lastCheckResults).optional(),
    /** Carillon's: when the pending claim fails if the record is not seen by then. */
    ExpiresTimestamp: z.string().optional(),
    /** Carillon's: a verified domain whose record the daily check no longer sees, since when. */
    RecordMissingSince: z.string().optional(),
    /** Carillon's: when the next check is due. */
    NextCheckTimestamp: z.string().optional(),
  })
  .strict();
export type Domain = z.infer<typeof domainWire>;

export const domainOutputs = {
  domain: z.object({ Domain: domainWire }).strict(),
  domains: z.object({ Domains: z.array(domainWire), NextToken: z.string().optional() }).strict(),
};
