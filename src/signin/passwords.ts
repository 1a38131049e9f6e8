// Password hashing (argon2id, OWASP's parameters) and the strength rules new passwords must meet.
import argon2 from 'argon2';

/** 19 MiB, 2 passes, 1 lane: OWASP's recommended minimum for argon2id. */
export const argon2Options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => argon2.hash(password, argon2Options);

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A real hash of a random password: verifying against it costs the same time as a real check, so a missing
 *  account cannot be told from a wrong password by timing. */
let decoy: Promise<string> | undefined;
export const decoyHash = () => (decoy ??= hashPassword(`decoy-${Math.random()}`));

const COMMON = new Set(['password', 'password1', 'passw0rd', '123456789', '1234567890', 'qwertyuiop', 'iloveyou', 'letmein', 'welcome', 'carillon']);

/** Why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, email: string): string | undefined {
  if (password.length < 10) return 'Use at least 10 characters.';
  if (password.length > 256) return 'Use at most 256 characters.';
  if (new Set(password).size < 5) return 'Use at least 5 different characters.';
  const lower = password.toLowerCase();
  const local = email.split('@')[0]!.toLowerCase();
  if (local.length >= 3 && lower.includes(local)) return 'Do not use your email address in your password.';
  if (COMMON.has(lower.replace(/[^a-z0-9]/g, '')) || /^(.)\1+$/.test(password) || /^(0123456789|1234567890|abcdefghij)/.test(lower)) {
    return 'That password is too common.';
  }
  return undefined;
}
