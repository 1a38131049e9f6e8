// A minimal browser for end-user page tests: cookies, form posts, manual redirects, and an optional source
// address on the loopback range (127.0.0.2, ...) to act as a second machine.
import http from 'node:http';

export type PageResponse = { status: number; location: string | undefined; text: string; headers: http.IncomingHttpHeaders };

export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly baseUrl: string,
    private readonly localAddress?: string,
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  request(method: string, path: string, form?: Record<string, string>, extraHeaders: Record<string, string> = {}): Promise<PageResponse> {
    const url = new URL(path, this.baseUrl);
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const headers: Record<string, string> = { ...extraHeaders };
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader();
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    return new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, localAddress: this.localAddress }, (res) => {
        for (const c of res.headers['set-cookie'] ?? []) {
          const [pair, ...attrs] = c.split(';');
          const i = pair!.indexOf('=');
          const name = pair!.slice(0, i).trim();
          const value = pair!.slice(i + 1).trim();
          if (attrs.some((a) => /max-age=0/i.test(a.trim())) || value === '') this.cookies.delete(name);
          else this.cookies.set(name, value);
        }
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  get(path: string) {
    return this.request('GET', path);
  }

  /** Posts a form, adding the CSRF token found in the page it came from unless `csrf` is given. */
  post(path: string, form: Record<string, string>) {
    return this.request('POST', path, form);
  }
}

/** The value of the hidden csrf field of a page. */
export function csrfOf(page: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(page);
  if (!m) throw new Error('no csrf field on the page');
  return m[1]!;
}
