// A load generator in a process of its own, so that nothing else the bench does (its DNS server, its database
// reads) delays the client and shows up as the server's latency: GET requests at a steady rate until its stdin
// closes (or DURATION_S passes), then one line of JSON on stdout: {"p99": ms, "requests": n, "failed": n}.
// Environment: URL, REQ_PATH, REQ_HEADERS (JSON), RATE (requests per second), DURATION_S.
import autocannon from 'autocannon';

const run = autocannon(
  {
    url: process.env.URL,
    connections: 4,
    overallRate: Number(process.env.RATE ?? 300),
    duration: Number(process.env.DURATION_S ?? 300),
    requests: [{ method: 'GET', path: process.env.REQ_PATH, headers: JSON.parse(process.env.REQ_HEADERS ?? '{}') }],
  },
  (err, result) => {
    if (err) throw err;
    process.stdout.write(JSON.stringify({ p99: result.latency.p99, requests: result.requests.total, failed: result.non2xx + result.errors }) + '\n');
    process.exit(0);
  },
);
process.stdin.on('end', () => run.stop());
process.stdin.resume();
