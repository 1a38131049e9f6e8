// Password hashing (argon2id, OWASP's parameters) and the strength rules new passwords must meet (NIST SP 800-63B:
// length over composition, and no known-breached or context-specific passwords, judged by zxcvbn's estimator).
import argon2 from 'argon2';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

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

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;
/** zxcvbn's 3: about 10^8 guesses or more, "safely unguessable" against online attacks on a slow hash. */
const MIN_SCORE = 3;
/** How many characters the estimator reads (see loadEstimator). */
const ESTIMATED_LENGTH = 64;

export const PASSWORD_MESSAGES = {
  tooShort: `Use at least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong password that is easy to remember.`,
  tooLong: `Use at most ${MAX_PASSWORD_LENGTH} characters.`,
  breached: 'That password is too common: it is on lists of breached passwords.',
  nearBreached: 'That password is too common: it is built on a password from lists of breached passwords.',
  personal: "Do not use your email address or the account's name in your password.",
  service: 'Do not use "Carillon" in your password.',
  guessable: 'Too easy to guess: add more words or characters.',
  /** Follows zxcvbn's warning, which says what is easy to guess ("Dates are easy to guess."). */
  addMore: 'Add more words or characters.',
} as const;

/**
 * The estimator with the common (breached passwords, keyboard layouts) and English (words, names, Wikipedia)
 * dictionaries: about 24 MiB of heap (50 MiB of RSS) and 0.3 to 0.5 s to load and build, so it is loaded on the first
 * password judged, not when the server starts. The packages stay outside the server's bundle (scripts/build.mjs) for
 * the same reason.
 */
let estimator: Promise<ZxcvbnFactory> | undefined;
function loadEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory }, common, english] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]);
    return new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...english.dictionary },
      graphs: common.adjacencyGraphs,
      translations: english.translations,
      // The check is synchronous and anyone may ask for one (POST /register), so its cost is capped. At zxcvbn's
      // defaults a 256-character password of digits and symbols took 2 to 3 s of CPU; with these, under 0.1 s.
      // Judging the first 64 characters is enough: more characters only add guesses, so a strong prefix is a
      // strong password. No Levenshtein matching either (hundreds of milliseconds a check): the dictionary,
      // l33t and pattern matchers already catch the near misses that matter.
      maxLength: ESTIMATED_LENGTH,
      l33tMaxSubstitutions: 10,
    });
  })();
  // A failed load (a missing package) is retried on the next call instead of failing every call after it.
  estimator.catch(() => (estimator = undefined));
  return estimator;
}

const SERVICE_NAME = 'carillon';

/** The context-specific words of NIST SP 800-63B: the address and its parts, the account's name, the service's name. */
function contextWords(context: { email: string; accountName?: string | undefined }): string[] {
  const words = new Set<string>([SERVICE_NAME]);
  const add = (word: string) => {
    const w = word.trim().toLowerCase();
    if (w.length >= 3) words.add(w);
  };
  const addPhrase = (phrase: string) => {
    add(phrase);
    const parts = phrase.split(/[^\p{L}\p{N}]+/u);
    add(parts.join(''));
    parts.forEach(add);
  };
  const email = context.email.trim();
  const at = email.lastIndexOf('@');
  add(email);
  addPhrase(at < 0 ? email : email.slice(0, at));
  // The domain's labels, less the top-level one: "example" of example.com, "mail" and "example" of mail.example.com.
  if (at >= 0) email.slice(at + 1).split('.').slice(0, -1).forEach(add);
  if (context.accountName) addPhrase(context.accountName);
  return [...words];
}

/** Why a new password is refused, in words for the page, or undefined when it is acceptable. */
export async function passwordProblem(password: string, context: { email: string; accountName?: string | undefined }): Promise<string | undefined> {
  // Length in characters as a person counts them, not UTF-16 units.
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return PASSWORD_MESSAGES.tooShort;
  if (length > MAX_PASSWORD_LENGTH) return PASSWORD_MESSAGES.tooLong;
  const inputs = contextWords(context);
  const result = (await loadEstimator()).check(password, inputs);
  if (result.score >= MIN_SCORE) return undefined;
  const words = result.sequence.filter((m) => m.pattern === 'dictionary');
  const personal = words.filter((m) => m.dictionaryName === 'userInputs');
  if (personal.length > 0) {
    return personal.every((m) => m.matchedWord === SERVICE_NAME) ? PASSWORD_MESSAGES.service : PASSWORD_MESSAGES.personal;
  }
  const breached = words.filter((m) => String(m.dictionaryName).startsWith('passwords'));
  if (breached.length > 0) return result.sequence.length === 1 && !breached[0]!.l33t ? PASSWORD_MESSAGES.breached : PASSWORD_MESSAGES.nearBreached;
  // Repeats, sequences, keyboard rows, dates, single words: zxcvbn says which in plain English.
  return result.feedback.warning ? `${result.feedback.warning} ${PASSWORD_MESSAGES.addMore}` : PASSWORD_MESSAGES.guessable;
}
