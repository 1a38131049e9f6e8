// The installation-wide settings on the wire (Chime's global settings).
import { z } from 'zod';

const cdr = z.object({ CdrBucket: z.string().optional() }).strict();
export const globalSettingsOutput = z.object({ BusinessCalling: cdr, VoiceConnector: cdr }).strict();
export type GlobalSettings = z.infer<typeof globalSettingsOutput>;
