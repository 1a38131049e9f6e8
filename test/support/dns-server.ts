// A real DNS server for tests (dns2, in-process, UDP and TCP on one loopback port), whose answers the test changes
// between queries: TXT records (each a list of strings), NXDOMAIN, SERVFAIL a number of times, silence (a
// timeout), or a truncated UDP answer that only TCP completes.
import net from 'node:net';
import dns2 from 'dns2';

const { Packet } = dns2;
// RFC 1035 §4.1.1 response codes (dns2's types leave out its RCODE table).
const SERVFAIL = 2;
const NXDOMAIN = 3;

export type Zone = {
  /** TXT records at the name, each one a list of character-strings (joined by the reader). */
  txt?: string[][];
  /** Answer NXDOMAIN. */
  nxdomain?: boolean;
  /** Answer SERVFAIL this many times, then normally. */
  servfail?: number;
  /** Never answer (the client times out). */
  silent?: boolean;
  /** Over UDP, answer with the TC bit and no records, so that the client must ask again over TCP. */
  truncateUdp?: boolean;
};

export type DnsServer = {
  /** `127.0.0.1:PORT`, for CARILLON_DNS_SERVERS. */
  address: string;
  zones: Map<string, Zone>;
  /** Queries seen, by transport. */
  queries: { udp: number; tcp: number };
  close(): Promise<void>;
};

export async function startDnsServer(): Promise<DnsServer> {
  const zones = new Map<string, Zone>();
  const queries = { udp: 0, tcp: 0 };
  const server = dns2.createServer({
    udp: true,
    tcp: true,
    handle(request, send, rinfo) {
      // dns2 gives the UDP socket's remote info; over TCP, the connection.
      const overTcp = !(rinfo && typeof rinfo === 'object' && 'size' in rinfo);
      queries[overTcp ? 'tcp' : 'udp']++;
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      const zone = question ? zones.get(question.name.toLowerCase()) : undefined;
      if (zone?.silent) return;
      if (zone?.servfail && zone.servfail > 0) {
        zone.servfail--;
        response.header.rcode = SERVFAIL;
        return send(response);
      }
      if (!zone || zone.nxdomain) {
        response.header.rcode = NXDOMAIN;
        return send(response);
      }
      if (zone.truncateUdp && !overTcp) {
        response.header.tc = 1;
        return send(response);
      }
      if (question!.type === Packet.TYPE.TXT) {
        for (const strings of zone.txt ?? []) {
          // A TXT record's data is its list of character-strings (dns2 encodes each with its length).
          const record = { name: question!.name, type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: 1, data: strings };
          response.answers.push(record as unknown as (typeof response.answers)[number]);
        }
      }
      send(response);
    },
  });
  // One port for both transports: a free TCP port, which the UDP socket takes too.
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
  await server.listen({ udp: { port, address: '127.0.0.1' }, tcp: { port, address: '127.0.0.1' } });
  return { address: `127.0.0.1:${port}`, zones, queries, close: () => server.close() };
}
