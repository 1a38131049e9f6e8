// What may be claimed: one registrable host name, spelt one way. A name is normalised (IDNA to punycode, lower case,
// no trailing dot) so that `Example.COM.` and `example.com` are one claim and a homograph (`exаmple.com` with a
// Cyrillic а) is its own, different punycode name; it is refused when it is an IP literal, a wildcard, a single
// label, longer than DNS allows, a public suffix itself (the Public Suffix List, through tldts, private suffixes
// such as github.io included), or the domain of a public email provider (email-providers' list of the common ones).
import { createRequire } from 'node:module';
import net from 'node:net';
import { domainToASCII } from 'node:url';

// The list also holds the names RFC 2606 reserves for documentation, which no provider serves.
const reserved = new Set(['example.com', 'example.net', 'example.org']);
const publicEmail = new Set<string>((createRequire(import.meta.url)('email-providers/common.json') as string[]).filter((d) => !reserved.has(d)));
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export type DomainName = { name: string } | { problem: string };

// tldts holds the Public Suffix List in memory (about 12 MB): loaded on the first claim, not at start.
let tldts: Promise<typeof import('tldts')> | undefined;

/** The spelling a claim is stored under, for finding one (no judgement of whether it could be claimed). */
export function canonicalDomainName(input: string): string {
  const raw = input.trim();
  return domainToASCII(raw.endsWith('.') ? raw.slice(0, -1) : raw) || raw.toLowerCase();
}

/** The claimable spelling of `input`, or why it cannot be claimed (a sentence for the administrator). */
export async function normalizeDomainName(input: string): Promise<DomainName> {
  const raw = input.trim();
  if (raw === '') return { problem: 'Enter a domain name, such as example.com.' };
  if (raw.includes('*')) return { problem: 'A wildcard cannot be claimed: claim each domain or subdomain on its own.' };
  if (raw.includes('@')) return { problem: 'Enter the domain alone (example.com), not an email address.' };
  if (/[/:?#\s\\]/.test(raw.replace(/^\[|\]$/g, '')) && !net.isIP(raw.replace(/^\[|\]$/g, ''))) {
    return { problem: 'Enter a domain name alone, without a scheme, port, path or spaces.' };
  }
  const dotless = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  if (net.isIP(dotless.replace(/^\[|\]$/g, ''))) return { problem: 'An IP address cannot be claimed: claim a domain name.' };
  const ascii = domainToASCII(dotless);
  if (ascii === '') return { problem: `${raw} is not a valid domain name.` };
  // The URL standard reads some names as IPv4 addresses (0x7f.1, 127.1): those are no domains either.
  if (net.isIP(ascii)) return { problem: 'An IP address cannot be claimed: claim a domain name.' };
  if (ascii.length > 253) return { problem: 'A domain name has at most 253 characters.' };
  const labels = ascii.split('.');
  if (labels.length < 2) return { problem: `${raw} is a single label: claim a full domain name, such as example.com.` };
  const long = labels.find((l) => l.length > 63);
  if (long) return { problem: `The label ${long.slice(0, 20)}… is longer than 63 characters, which DNS does not allow.` };
  if (!labels.every((l) => LABEL.test(l))) {
    return { problem: `${raw} is not a host name: use letters, digits and hyphens, with no label starting or ending with a hyphen.` };
  }
  const parsed = (await (tldts ??= import('tldts'))).parse(ascii, { allowPrivateDomains: true });
  if (parsed.publicSuffix === ascii || parsed.domain === null) {
    return { problem: `${ascii} is a public suffix, under which anyone may register names: claim your own domain under it.` };
  }
  if (publicEmail.has(ascii) || publicEmail.has(parsed.domain)) {
    return { problem: `${ascii} belongs to a public email provider, whose addresses belong to their owners: it cannot be claimed.` };
  }
  return { name: ascii };
}

/** The domain of an email address, as claims store it (undefined when the address has none that could be claimed). */
export function domainOfEmail(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at < 0) return undefined;
  const ascii = domainToASCII(email.slice(at + 1).trim().replace(/\.$/, ''));
  return ascii === '' ? undefined : ascii;
}
