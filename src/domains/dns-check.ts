// Looks for a claim's TXT record in DNS, through Node's resolver (c-ares): the servers of CARILLON_DNS_SERVERS, or
// the system's. c-ares asks again over TCP when a UDP answer comes back truncated; a record split into several
// strings is joined here; among many TXT records at the name, the exact value is looked for. Every failure is told
// apart, so that a missing record never reads as a system error and no failure ever reads as success.
import { Resolver } from 'node:dns/promises';

/** What one look at DNS found. `Found`: the exact value is published. */
export type CheckResult = 'Found' | 'NotFound' | 'WrongValue' | 'Timeout' | 'ServerFailure';

export type DnsLookup = (name: string, value: string) => Promise<CheckResult>;

/** `servers`: `host[:port]` entries (IPv6 as `[::1]:53`); empty uses the system's resolvers. */
export function dnsLookup(servers: string[], options: { timeoutMs?: number; tries?: number } = {}): DnsLookup {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 3000, tries: options.tries ?? 2 });
  if (servers.length > 0) resolver.setServers(servers);
  return async (name, value) => {
    let records: string[][];
    try {
      records = await resolver.resolveTxt(name);
    } catch (e) {
      return classify((e as { code?: string }).code);
    }
    const texts = records.map((chunks) => chunks.join(''));
    if (texts.includes(value)) return 'Found';
    return texts.length === 0 ? 'NotFound' : 'WrongValue';
  };
}

function classify(code: string | undefined): CheckResult {
  switch (code) {
    case 'ENOTFOUND': // NXDOMAIN
    case 'ENODATA': // the name exists, with no TXT record
      return 'NotFound';
    case 'ETIMEOUT':
    case 'ECONNREFUSED':
      return 'Timeout';
    default: // ESERVFAIL, EREFUSED, EBADRESP, EFORMERR, ...
      return 'ServerFailure';
  }
}
